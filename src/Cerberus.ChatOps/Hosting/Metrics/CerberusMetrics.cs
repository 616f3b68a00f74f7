using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
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
            Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
        });

    private static readonly Counter AccessRefusals = Prometheus.Metrics.CreateCounter(
        "cerberus_access_refused_total",
        "Requests refused politely before anything ran, by reason (rate_limit, not_authorized).",
        new CounterConfiguration { LabelNames = ["reason"] });

    /// <summary>The closed set of <see cref="AccessRefused"/> reasons.</summary>
    public static readonly IReadOnlyList<string> AccessRefusalReasons = ["rate_limit", "not_authorized"];

    private static readonly Counter InboundSetAsideTotal = Prometheus.Metrics.CreateCounter(
        "cerberus_inbox_set_aside_total",
        "Inbound requests set aside after failing every attempt (the user was answered privately), by kind.",
        new CounterConfiguration { LabelNames = ["kind"] });

    static CerberusMetrics()
    {
        foreach (var reason in AccessRefusalReasons)
        {
            AccessRefusals.WithLabels(reason).Inc(0);
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
        var label = kind is Slack.Inbound.InboundKinds.Command or Slack.Inbound.InboundKinds.Interaction or Slack.Inbound.InboundKinds.Event ? kind : "other";
        InboundSetAsideTotal.WithLabels(label).Inc();
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
