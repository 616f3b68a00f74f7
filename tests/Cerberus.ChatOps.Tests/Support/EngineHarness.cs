using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Incidents;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Store;
using Cerberus.ChatOps.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>
/// The incident engine on a real SQLite store (a temp file), with fake diagnostics and remediation actions.
/// <see cref="Restart"/> builds a new engine on the same file, as a process restart would.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public const string Channel = "C0INCIDENT";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cerberus-engine-" + Guid.NewGuid().ToString("N"));
    private readonly List<TestLifetime> _lifetimes = [];
    private readonly List<IDisposable> _disposables = [];

    public EngineHarness(params RemediationKind[] kinds)
    {
        Directory.CreateDirectory(_directory);
        Time = new FakeTimeProvider(Some.T0);
        Store = new SqliteIncidentStore($"Data Source={Path.Combine(_directory, "cerberus.db")}", Time, NullLogger<SqliteIncidentStore>.Instance);
        Store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        Diagnostics = new FakeDiagnosticsRunner(Time);
        Actions = (kinds.Length == 0 ? [RemediationKind.Failover] : kinds).Select(k => new FakeRemediationAction(k)).ToList();
        Options = new IncidentOptions { Approvers = [Some.Approver] };
        (Engine, Work, Dispatcher) = Build();
    }

    public FakeTimeProvider Time { get; }

    /// <summary>PagerDuty paging: off until a routing key is set (read at every use, so it may be set after construction).</summary>
    public Cerberus.ChatOps.Paging.PagerDutyOptions PagerDuty { get; } = new();

    public SqliteIncidentStore Store { get; }

    public FakeDiagnosticsRunner Diagnostics { get; }

    public List<FakeRemediationAction> Actions { get; }

    public IncidentOptions Options { get; }

    /// <summary>Cerberus:Drill (live drills off unless a test turns them on).</summary>
    public Cerberus.ChatOps.Drill.Live.LiveDrillOptions LiveDrill { get; } = new();

    /// <summary>The Web API the engine may call directly (incident channels); null = Slack not configured.</summary>
    public Cerberus.ChatOps.Slack.Api.ISlackApi? Slack { get; set; }

    public IncidentEngine Engine { get; private set; }

    /// <summary>Load → change → save, as the engine's pieces do it (for arranging a state directly).</summary>
    public IncidentMutator Mutator { get; private set; } = null!;

    public ApproverRoster Roster { get; private set; } = null!;

    /// <summary>Opens incident channels; the outbox hands it what it opened (<see cref="DeliverOutboxAsync"/>).</summary>
    public IncidentChannelOpener Channels { get; private set; } = null!;

    public BackgroundWork Work { get; private set; }

    public InboundDispatcher Dispatcher { get; private set; }

    public FakeRemediationAction Action(RemediationKind kind = RemediationKind.Failover) => Actions.Single(a => a.Kind == kind);

    private static int _clicks;

    /// <summary>A button click in the incident channel, as the inbox hands it to the dispatcher (unique action_ts).</summary>
    public static InteractionPayload Click(string actionId, string incidentId, string second, string user)
    {
        var ts = $"1764122400.{Interlocked.Increment(ref _clicks):000000}";
        return new InteractionPayload("block_actions", "T0", user, null, Channel, "1764122399.000100",
            $"https://hooks.slack.com/actions/T0/{ts}/x", "trigger." + ts,
            [new BlockAction(actionId, "approval", ButtonIds.Value(incidentId, second), ts)]);
    }

    /// <summary>A <c>/dbincident</c> command in the incident channel.</summary>
    public static SlashCommand Command(string text, string user = Some.Starter) =>
        new("T0", Channel, "db-incidents", user, "someone", "/dbincident", text,
            $"https://hooks.slack.com/commands/T0/{Guid.NewGuid():N}", "trigger." + Guid.NewGuid().ToString("N"));

    public static ReplyTarget Reply(string user = Some.Starter) => new(Channel, user, $"https://hooks.slack.com/commands/T0/1/{user}");

    /// <summary>A new engine on the same store: what a restart after kill -9 sees.</summary>
    public void Restart() => (Engine, Work, Dispatcher) = Build();

    /// <summary>SIGTERM for the current process: its lifetime signals stopping (its background work is cancelled).</summary>
    public void StopGracefully() => _lifetimes[^1].StopApplication();

    public async Task<Incident> IncidentAsync(string id) => await Store.GetAsync(id, CancellationToken.None) ?? throw new InvalidOperationException(id);

    /// <summary>Every outgoing message so far, oldest first.</summary>
    public async Task<IReadOnlyList<(OutboxItem Item, SlackMessage Message)>> OutboxAsync()
    {
        var items = await Store.ListDueAsync(DateTimeOffset.MaxValue, 10_000, 10_000, CancellationToken.None);
        // A PagerDuty event is not a Slack message: its JSON stands in as the text.
        return items.Select(i => (i, i.Kind == OutboxKinds.PagerDuty ? new SlackMessage { Text = i.Payload } : SlackMessageJson.Deserialize(i.Payload))).ToList();
    }

    /// <summary>
    /// The outbox worker as the host runs it (the single replica's owner name, so it resumes the claims of a worker
    /// that died) sending to <see cref="Slack"/>, pass after pass, the clock moved on between passes so that items
    /// waiting for the header are due again, until nothing is left to send or nothing moves.
    /// </summary>
    public async Task DeliverOutboxAsync()
    {
        var slack = Slack ?? throw new InvalidOperationException("Set Slack (a RecordingSlackApi) before delivering the outbox.");
        var settings = new SlackOptions { OutboxPollInterval = TimeSpan.FromSeconds(1), RetryBaseDelay = TimeSpan.FromMilliseconds(100) };
        await using var services = new ServiceCollection()
            .AddSingleton<IOutboxStore>(Store)
            .AddSingleton(slack)
            .AddSingleton<IIncidentChannelRecorder>(Channels)
            .AddSingleton(new ProcessLease(Store, Microsoft.Extensions.Options.Options.Create(new StoreOptions())))
            .AddSingleton(new Cerberus.ChatOps.Paging.PagerDutyClient(new HttpClient(), new StaticOptionsMonitor<Cerberus.ChatOps.Paging.PagerDutyOptions>(PagerDuty)))
            .BuildServiceProvider();
        var worker = new SlackOutboxWorker(services.GetRequiredService<IServiceScopeFactory>(), new OutboxSignal(), new StaticOptionsMonitor<SlackOptions>(settings), Time, NullLogger<SlackOutboxWorker>.Instance);
        for (var idle = 0; idle < 3;)
        {
            idle = await worker.ProcessOnceAsync(CancellationToken.None) == 0 ? idle + 1 : 0;
            await IdleAsync();
            if ((await Store.ListDueAsync(DateTimeOffset.MaxValue, 1, 1, CancellationToken.None)).Count == 0)
            {
                return;
            }

            Time.Advance(settings.OutboxPollInterval);
        }
    }

    public async Task IdleAsync()
    {
        for (var i = 0; i < 5; i++)
        {
            await Work.WhenIdleAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lifetime in _lifetimes)
        {
            lifetime.StopApplication();
        }

        await Work.WhenIdleAsync();
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        foreach (var lifetime in _lifetimes)
        {
            lifetime.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The channel incidents from Alertmanager are declared in.</summary>
    public const string AlertsChannel = "CALERTS";

    private (IncidentEngine, BackgroundWork, InboundDispatcher) Build()
    {
        var lifetime = new TestLifetime();
        _lifetimes.Add(lifetime);
        var work = new BackgroundWork(lifetime, NullLogger<BackgroundWork>.Instance);
        var monitor = new StaticOptionsMonitor<IncidentOptions>(Options);
        var roster = new ApproverRoster(monitor, Time, NullLogger<ApproverRoster>.Instance, Slack);
        var limiter = new UserRateLimiter(monitor);
        _disposables.Add(roster);
        _disposables.Add(limiter);
        var execution = new ExecutionLease(Store, monitor, Time, NullLogger<ExecutionLease>.Instance);
        var (engine, mutator, dispatcher, channels) = Compose(Store, Store, Diagnostics, Actions, monitor, Slack, roster, limiter, execution, work, Time, AlertsChannel, PagerDuty, LiveDrill);
        Mutator = mutator;
        Channels = channels;
        Roster = roster;
        return (engine, work, dispatcher);
    }

    /// <summary>The engine's pieces wired as the host's container wires them (IncidentsServiceCollectionExtensions).</summary>
    internal static (IncidentEngine Engine, IncidentMutator Mutator, InboundDispatcher Dispatcher, IncidentChannelOpener Channels) Compose(
        IIncidentStore store,
        IOutboxStore outbox,
        IDiagnosticsRunner diagnosticsRunner,
        IEnumerable<IRemediationAction> actions,
        IOptionsMonitor<IncidentOptions> monitor,
        Cerberus.ChatOps.Slack.Api.ISlackApi? slack,
        ApproverRoster roster,
        UserRateLimiter limiter,
        ExecutionLease execution,
        BackgroundWork work,
        TimeProvider time,
        string alertsChannel = AlertsChannel,
        Cerberus.ChatOps.Paging.PagerDutyOptions? pagerDuty = null,
        Cerberus.ChatOps.Drill.Live.LiveDrillOptions? liveDrill = null)
    {
        var signal = new OutboxSignal();
        var mutator = new IncidentMutator(store, outbox, signal, monitor, time, NullLogger<IncidentMutator>.Instance);
        var channels = new IncidentChannelOpener(slack, mutator, monitor, NullLogger<IncidentChannelOpener>.Instance);
        var backends = new IncidentBackends(diagnosticsRunner, actions, time);
        var diagnostics = new DiagnosticsRuns(mutator, store, backends, monitor, limiter, work, NullLogger<DiagnosticsRuns>.Instance);
        var integrity = new TableHealthCollector(time, NullLogger<TableHealthCollector>.Instance);
        var reports = new ReportWriter(mutator, store, integrity, new StaticOptionsMonitor<Cerberus.ChatOps.Diagnostics.Postgres.PostgresOptions>(new()), roster, work, new StaticOptionsMonitor<Cerberus.ChatOps.Actions.CleanupOptions>(new()), time);
        var pager = new Cerberus.ChatOps.Paging.IncidentPager(new StaticOptionsMonitor<Cerberus.ChatOps.Paging.PagerDutyOptions>(pagerDuty ?? new()));
        var commands = new IncidentCommands(mutator, store, signal, monitor, channels, roster, limiter, diagnostics, reports, pager, time, NullLogger<IncidentCommands>.Instance);
        var proposer = new ActionProposer(mutator, store, backends, monitor, roster, work, time, NullLogger<ActionProposer>.Instance);
        var verification = new ActionVerification(mutator, store, backends);
        var executor = new ActionExecution(mutator, store, backends, proposer, verification, monitor, execution, work, time, NullLogger<ActionExecution>.Instance);
        var approvals = new ActionApprovals(mutator, roster, executor, NullLogger<ActionApprovals>.Instance);
        var resumption = new IncidentResumption(mutator, store, monitor, diagnostics, executor, work, time, NullLogger<IncidentResumption>.Instance);
        var engine = new IncidentEngine(commands, diagnostics, reports, proposer, approvals, executor, resumption);
        var alerts = new AlertIntake(commands, mutator, store, new StaticOptionsMonitor<Cerberus.ChatOps.Alerts.AlertsOptions>(new() { Channel = alertsChannel }), NullLogger<AlertIntake>.Instance);
        var liveDrills = new Cerberus.ChatOps.Drill.Live.LiveDrills(
            new StaticOptionsMonitor<Cerberus.ChatOps.Drill.Live.LiveDrillOptions>(liveDrill ?? new()), new StaticOptionsMonitor<Cerberus.ChatOps.Diagnostics.Postgres.PostgresOptions>(new()),
            roster, store, commands, mutator, reports, work, new Microsoft.Extensions.DependencyInjection.ServiceCollection().BuildServiceProvider(), time, NullLogger<Cerberus.ChatOps.Drill.Live.LiveDrills>.Instance);
        return (engine, mutator, new InboundDispatcher(commands, diagnostics, reports, proposer, approvals, alerts, liveDrills, NullLogger<InboundDispatcher>.Instance), channels);
    }
}
