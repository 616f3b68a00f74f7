using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Prometheus;

namespace Cerberus.ChatOps.Hosting.Metrics;

/// <summary>
/// Every Prometheus series the bot exposes on <c>GET /metrics</c>, in one place. Other areas call the small static
/// methods below (never <c>Metrics.Create…</c> themselves), so names, labels and buckets stay consistent. Label values
/// come from closed sets (enum names, Slack API method names, route patterns): never an incident id or a user id.
/// </summary>
internal static class CerberusMetrics
{
    public const string Unmatched = "unmatched";

    // First field on purpose (static initialisers run in order): before any series exists and before the first scrape,
    // keep prometheus-net's process and GC series but drop its .NET meter, event-counter and self-debug adapters, whose
    // names (e.g. system_runtime_dotnet_timer_count on a gauge) fail `promtool check metrics`.
    private static readonly bool DefaultsConfigured = ConfigureDefaultMetrics();

    private static readonly Gauge Incidents = Prometheus.Metrics.CreateGauge(
        "cerberus_incidents",
        "Incidents known to this replica, by state (set from the store on every timer pass; a declaration counts at once).",
        new GaugeConfiguration { LabelNames = ["state"] });

    private static readonly Counter IncidentsDeclared = Prometheus.Metrics.CreateCounter(
        "cerberus_incidents_declared_total",
        "Incidents declared (/dbincident start) since the process started.");

    private static readonly Histogram ProbeDuration = Prometheus.Metrics.CreateHistogram(
        "cerberus_diagnostics_probe_duration_seconds",
        "Wall time of one diagnostic probe run, by probe and outcome (Ok, Warn, Crit, Unknown).",
        new HistogramConfiguration
        {
            LabelNames = ["probe", "outcome"],
            Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30],
        });

    private static readonly Counter Actions = Prometheus.Metrics.CreateCounter(
        "cerberus_actions_total",
        "Remediation actions that reached a final status, by kind and outcome.",
        new CounterConfiguration { LabelNames = ["kind", "outcome"] });

    private static readonly Counter SlackApiCalls = Prometheus.Metrics.CreateCounter(
        "cerberus_slack_api_calls_total",
        "Slack Web API calls, by method (e.g. chat.postMessage) and result (ok, an error code, or http_<status>).",
        new CounterConfiguration { LabelNames = ["method", "result"] });

    private static readonly Counter SlackApiRetries = Prometheus.Metrics.CreateCounter(
        "cerberus_slack_api_retries_total",
        "Slack Web API calls retried, by method.",
        new CounterConfiguration { LabelNames = ["method"] });

    private static readonly Counter SlackRateLimits = Prometheus.Metrics.CreateCounter(
        "cerberus_slack_rate_limited_total",
        "Slack Web API answers with HTTP 429 (rate limited; Retry-After honoured), by method.",
        new CounterConfiguration { LabelNames = ["method"] });

    private static readonly Histogram SlackAckDuration = Prometheus.Metrics.CreateHistogram(
        "cerberus_slack_ack_duration_seconds",
        "Time to answer an inbound Slack request (Slack gives up after 3 s), by route.",
        new HistogramConfiguration
        {
            LabelNames = ["route"],
            Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
        });

    private static readonly Counter AccessRefusals = Prometheus.Metrics.CreateCounter(
        "cerberus_access_refused_total",
        "Requests refused politely before anything ran, by reason (rate_limit, not_authorized).",
        new CounterConfiguration { LabelNames = ["reason"] });

    /// <summary>The closed set of <see cref="AccessRefused"/> reasons.</summary>
    public static readonly IReadOnlyList<string> AccessRefusalReasons = ["rate_limit", "not_authorized"];

    private static readonly string[] InboundKindsOfSetAside =
        [Slack.Inbound.InboundKinds.Command, Slack.Inbound.InboundKinds.Interaction, Slack.Inbound.InboundKinds.Event, "other"];

    private static readonly Counter InboundSetAsideTotal = Prometheus.Metrics.CreateCounter(
        "cerberus_inbox_set_aside_total",
        "Inbound requests set aside after failing every attempt (the user was answered privately), by kind.",
        new CounterConfiguration { LabelNames = ["kind"] });

    private static readonly Gauge OutboxBacklog = Prometheus.Metrics.CreateGauge(
        "cerberus_outbox_backlog",
        "Outgoing Slack messages not sent yet (pending or in flight), read from the store on every timer pass.");

    private static readonly Gauge OutboxOldestAge = Prometheus.Metrics.CreateGauge(
        "cerberus_outbox_oldest_pending_age_seconds",
        "How long the oldest unsent outgoing Slack message has waited (0 when none waits).");

    private static readonly Gauge InboxBacklog = Prometheus.Metrics.CreateGauge(
        "cerberus_inbox_backlog",
        "Acknowledged Slack requests not handled yet, read from the store on every timer pass.");

    private static readonly Gauge InboxOldestAge = Prometheus.Metrics.CreateGauge(
        "cerberus_inbox_oldest_pending_age_seconds",
        "How long the oldest unhandled Slack request has waited (0 when none waits).");

    private static readonly Gauge LeaseHeld = Prometheus.Metrics.CreateGauge(
        "cerberus_lease_held",
        "1 while this replica holds the worker lease (inbox-worker, outbox-worker, incident-timers), else 0.",
        new GaugeConfiguration { LabelNames = ["lease"] });

    private static readonly Gauge RtoBudgetUsed = Prometheus.Metrics.CreateGauge(
        "cerberus_rto_budget_used_ratio",
        "The largest share of the 4 h RTO used by an open real incident not yet mitigated (0 when there is none; 1 = spent).");

    /// <summary>The worker leases <see cref="LeaseHeldBy"/> reports.</summary>
    public static readonly IReadOnlyList<string> Leases = [Hosting.ProcessLease.Inbox, Hosting.ProcessLease.Outbox, Hosting.ProcessLease.Timers];

    static CerberusMetrics()
    {
        foreach (var reason in AccessRefusalReasons)
        {
            AccessRefusals.WithLabels(reason).Inc(0);
        }

        // Closed label sets exist at zero from the first scrape, so rate() and alerts see 0, not "no data".
        foreach (var kind in Enum.GetValues<RemediationKind>())
        {
            foreach (var status in Enum.GetValues<ActionStatus>().Where(s => s is not (ActionStatus.Proposed or ActionStatus.Approved or ActionStatus.Started)))
            {
                Actions.WithLabels(kind.ToString(), status.ToString());
            }
        }

        foreach (var probe in ProbeNames.All)
        {
            foreach (var outcome in Enum.GetValues<ProbeStatus>())
            {
                ProbeDuration.WithLabels(probe, outcome.ToString());
            }
        }

        foreach (var method in Slack.Api.SlackApiMethods.All)
        {
            SlackApiCalls.WithLabels(method, "ok");
            SlackApiRetries.WithLabels(method);
            SlackRateLimits.WithLabels(method);
        }

        foreach (var route in Slack.SlackEndpoints.Routes.Append(Unmatched))
        {
            SlackAckDuration.WithLabels(route);
        }

        foreach (var kind in InboundKindsOfSetAside)
        {
            InboundSetAsideTotal.WithLabels(kind);
        }

        foreach (var lease in Leases)
        {
            LeaseHeld.WithLabels(lease).Set(0);
        }

        // Every state is present from the first scrape, at zero, so dashboards and alerts never see a gap.
        foreach (var state in Enum.GetValues<IncidentState>())
        {
            Incidents.WithLabels(state.ToString()).Set(0);
        }
    }

    /// <summary>Forces the static series to register (the gauge of states and the declared counter).</summary>
    public static bool EnsureRegistered()
    {
        IncidentsDeclared.Inc(0);
        return DefaultsConfigured;
    }

    /// <summary>A new incident was declared: counts it and adds it to the <see cref="IncidentState.Declared"/> gauge.</summary>
    public static void IncidentDeclared()
    {
        IncidentsDeclared.Inc();
        Incidents.WithLabels(nameof(IncidentState.Declared)).Inc();
    }

    /// <summary>Sets the gauge from the store (at start, or after a reconciliation); states not listed are set to zero.</summary>
    public static void SetIncidentCounts(IReadOnlyDictionary<IncidentState, int> countsByState)
    {
        ArgumentNullException.ThrowIfNull(countsByState);
        foreach (var state in Enum.GetValues<IncidentState>())
        {
            Incidents.WithLabels(state.ToString()).Set(countsByState.TryGetValue(state, out var count) ? count : 0);
        }
    }

    /// <summary>One diagnostic probe finished (or timed out: report it as <see cref="ProbeStatus.Unknown"/>).</summary>
    public static void ProbeFinished(string probe, string outcome, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(probe);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        ProbeDuration.WithLabels(probe, outcome).Observe(Math.Max(0, duration.TotalSeconds));
    }

    /// <inheritdoc cref="ProbeFinished(string, string, TimeSpan)"/>
    public static void ProbeFinished(string probe, ProbeStatus outcome, TimeSpan duration) =>
        ProbeFinished(probe, outcome.ToString(), duration);

    /// <summary>A request was refused before anything ran: <paramref name="reason"/> is one of <see cref="AccessRefusalReasons"/>.</summary>
    public static void AccessRefused(string reason)
    {
        if (!AccessRefusalReasons.Contains(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "not one of the closed set of refusal reasons");
        }

        AccessRefusals.WithLabels(reason).Inc();
    }

    /// <summary>A remediation action reached a final status (Succeeded, Failed, Refused, Rejected, Expired, ...).</summary>
    public static void ActionFinished(string kind, string outcome)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        Actions.WithLabels(kind, outcome).Inc();
    }

    /// <inheritdoc cref="ActionFinished(string, string)"/>
    public static void ActionFinished(RemediationKind kind, ActionStatus outcome) =>
        ActionFinished(kind.ToString(), outcome.ToString());

    /// <summary>One Slack Web API call answered: <paramref name="result"/> is <c>ok</c>, Slack's error code, or <c>http_&lt;status&gt;</c>.</summary>
    public static void SlackApiCalled(string method, string result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentException.ThrowIfNullOrWhiteSpace(result);
        SlackApiCalls.WithLabels(method, result).Inc();
    }

    /// <summary>A Slack Web API call is about to be retried.</summary>
    public static void SlackApiRetried(string method)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        SlackApiRetries.WithLabels(method).Inc();
    }

    /// <summary>Slack answered 429 Too Many Requests.</summary>
    public static void SlackRateLimited(string method)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        SlackRateLimits.WithLabels(method).Inc();
    }

    /// <summary>An inbound Slack request was answered (recorded by <see cref="SlackAckTimingMiddleware"/>).</summary>
    public static void SlackAcknowledged(string route, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(route);
        SlackAckDuration.WithLabels(route).Observe(Math.Max(0, duration.TotalSeconds));
    }

    /// <summary>An inbound request kept failing and was set aside (kind: command, interaction, event; anything else is "other").</summary>
    public static void InboundSetAside(string kind)
    {
        var label = InboundKindsOfSetAside.Contains(kind) ? kind : "other";
        InboundSetAsideTotal.WithLabels(label).Inc();
    }

    /// <summary>The backlogs of the durable queues, as the store reports them at <paramref name="now"/>.</summary>
    public static void SetQueueBacklogs(QueueBacklog outbox, QueueBacklog inbox, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(inbox);
        OutboxBacklog.Set(outbox.Count);
        OutboxOldestAge.Set(outbox.OldestAge(now).TotalSeconds);
        InboxBacklog.Set(inbox.Count);
        InboxOldestAge.Set(inbox.OldestAge(now).TotalSeconds);
    }

    /// <summary>Whether this replica holds the worker lease <paramref name="lease"/> after its latest attempt.</summary>
    public static void LeaseHeldBy(string lease, bool held)
    {
        if (Leases.Contains(lease))
        {
            LeaseHeld.WithLabels(lease).Set(held ? 1 : 0);
        }
    }

    /// <summary>The largest share of the RTO any open incident has used at <paramref name="now"/> (0 when none is open).</summary>
    public static void SetRtoBudgetUsed(IEnumerable<IncidentClock> openIncidents, DateTimeOffset now) =>
        RtoBudgetUsed.Set(RtoShareUsed(openIncidents, now));

    /// <summary>The largest share of the RTO used at <paramref name="now"/>: 0.5 two hours after detection; 0 for none.</summary>
    public static double RtoShareUsed(IEnumerable<IncidentClock> openIncidents, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(openIncidents);
        return openIncidents.Select(c => Math.Max(0, (now - c.RtoStartedAt) / Incident.RecoveryTimeObjective)).DefaultIfEmpty(0).Max();
    }

    private static bool ConfigureDefaultMetrics()
    {
        Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressProcessMetrics = false,
            SuppressDebugMetrics = true,
            SuppressEventCounters = true,
            SuppressMeters = true,
        });
        return true;
    }
}
