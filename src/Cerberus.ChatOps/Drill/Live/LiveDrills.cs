using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Drill.Live;

/// <summary>
/// <c>/dbincident drill --live &lt;scenario&gt;</c>: injects the scenario's fault into the cluster this bot is
/// configured for (a staging cluster: refused unless <see cref="LiveDrillOptions.LiveEnabled"/>, and only for a
/// roster member), starts a writer, declares an ordinary incident (real diagnostics, actions, approvals; its summary
/// says LIVE DRILL), waits until the remedy is verified (or the incident ends, or the drill's limit passes), then
/// stops the writer, reads its rows back, restores the cluster — always, also on failure — and records the time to
/// recovery against the RTO and the acknowledged writes in the incident (thread, timeline, report). One at a time.
/// </summary>
internal sealed partial class LiveDrills(
    IOptionsMonitor<LiveDrillOptions> options,
    IOptionsMonitor<PostgresOptions> postgresOptions,
    ApproverRoster roster,
    IIncidentStore store,
    IncidentCommands commands,
    IncidentMutator mutator,
    ReportWriter reports,
    BackgroundWork work,
    IServiceProvider services,
    TimeProvider time,
    ILogger<LiveDrills> logger)
{
    public const string WorkKey = "live-drill";

    /// <summary>What restoring may take at most, after a failure or at shutdown (its own budget, not the stopping token).</summary>
    private static readonly TimeSpan RestoreBudget = TimeSpan.FromSeconds(60);

    public static string Disabled =>
        ":no_entry: Live drills are off here: they inject a real fault into the configured cluster, so they run only where an operator enabled them for a staging cluster (`Cerberus__Drill__LiveEnabled=true`). `/dbincident drill <scenario>` runs a simulated drill.";

    public static string NotOnRoster =>
        ":no_entry: Only a member of the approver roster may start a live drill: it changes the real (staging) cluster. `/dbincident drill <scenario>` runs a simulated drill, open to everyone.";

    public async Task StartAsync(string channel, string actor, string scenarioName, ReplyTarget reply, CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.LiveEnabled)
        {
            await RefuseAsync(reply, actor, "disabled", Disabled, cancellationToken);
            return;
        }

        if (!(await roster.PolicyAsync(cancellationToken)).May(IncidentOperation.StartLiveDrill, actor, commander: string.Empty, drill: false))
        {
            await RefuseAsync(reply, actor, "not on the roster", NotOnRoster, cancellationToken);
            return;
        }

        if (LiveDrillScenario.Find(scenarioName) is not { } scenario)
        {
            await mutator.ReplyAsync(reply, $"Name the live drill scenario: `/dbincident drill --live <{LiveDrillScenario.Names}>`.", cancellationToken);
            return;
        }

        if (await store.FindOpenInChannelAsync(channel, cancellationToken) is { } open)
        {
            await mutator.ReplyAsync(reply, $"{IncidentMessages.Tag(open)}*{open.Id}* is open in this channel: a live drill starts only in a channel without an open incident.", cancellationToken);
            return;
        }

        if (!work.TryStart(WorkKey, ct => RunAsync(channel, actor, scenario, reply, ct)))
        {
            await mutator.ReplyAsync(reply, ":hourglass: A live drill is already running on this bot: one at a time.", cancellationToken);
            return;
        }

        Log.Started(logger, scenario.Name, actor);
        await mutator.ReplyAsync(reply, $":test_tube: Live drill {scenario.Name}: injecting {scenario.Title} into the configured cluster; the incident opens as soon as the fault is in place.", cancellationToken);
    }

    private async Task RefuseAsync(ReplyTarget reply, string actor, string why, string text, CancellationToken cancellationToken)
    {
        Log.Refused(logger, actor, why);
        CerberusMetrics.AccessRefused("not_authorized");
        await mutator.ReplyAsync(reply, text, cancellationToken);
    }

    private async Task RunAsync(string channel, string actor, LiveDrillScenario scenario, ReplyTarget reply, CancellationToken stopping)
    {
        var o = options.CurrentValue;
        _ = QualifiedName.TryParse(o.WriterTable, out var table);
        var connector = services.GetRequiredService<PostgresConnector>();
        var patroni = services.GetRequiredService<IPatroniClient>();
        var target = postgresOptions.CurrentValue.SlotRetainedCritBytes + o.SlotFillMarginBytes;
        var fault = new SlotFillFault(connector, patroni, o.SlotName, postgresOptions.CurrentValue.SlotRetainedCritBytes, target);
        var ledger = new DrillWriteLedger();
        var writer = new DrillWriter(connector, table!, o.WriterInterval, ledger, time, logger);
        var progress = new Progress<string>(line => Log.Step(logger, scenario.Name, line));
        using var stopWriter = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Task? writing = null;
        string? incidentId = null;
        string? faultText = null;
        DateTimeOffset? injectedAt = null;
        (DateTimeOffset? At, string By) recovery = (null, "the drill ended before recovery");
        try
        {
            if (!connector.IsConfigured)
            {
                throw new LiveDrillException(PostgresConnector.NotConfigured);
            }

            await ExecAsync(connector, DrillWriter.CreateSql(table!), stopping);
            writing = Task.Run(() => writer.RunAsync(stopWriter.Token), CancellationToken.None);
            faultText = await fault.InjectAsync(progress, stopping);
            injectedAt = time.GetUtcNow();
            incidentId = await DeclareAsync(channel, actor, scenario, reply, stopping);
            await mutator.MutateAsync(incidentId, (incident, batch, now) =>
            {
                var result = incident.AddNote(Incident.BotActor, $"live drill {scenario.Name}: fault injected at {injectedAt:O}: {faultText}; writer inserting into {table!.Text}", now);
                batch.Thread(IncidentMessages.Text(
                    $":test_tube: *Live drill {scenario.Name}* — injected {Format.Safe(faultText)}. A writer inserts numbered rows into `{table!.Text}` on the primary until recovery is verified. " +
                    "Work this incident as a real one: the diagnosis, the proposals, the approvals and the actions are real. The drill measures the time from the injection to the verified remedy against the RTO, then restores the cluster."));
                return result;
            }, stopping);
            recovery = await WaitForRecoveryAsync(incidentId, fault, injectedAt.Value, o, stopping);
        }
        catch (LiveDrillException ex)
        {
            recovery = (null, ex.Message);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            recovery = (null, "the bot shut down during the drill");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or HttpRequestException)
        {
            Log.Failed(logger, ex, scenario.Name);
            recovery = (null, $"the drill failed ({ex.GetType().Name}{((ex as PostgresException)?.SqlState is { } state ? " " + state : string.Empty)})");
        }
        finally
        {
            await stopWriter.CancelAsync();
            if (writing is not null)
            {
                await writing;
            }

            await FinishAsync(scenario, fault, writer, table!, connector, incidentId, faultText, injectedAt, recovery, reply);
        }
    }

    private async Task<string> DeclareAsync(string channel, string actor, LiveDrillScenario scenario, ReplyTarget reply, CancellationToken cancellationToken)
    {
        var summary = $"{LiveDrillResult.SummaryPrefix}{scenario.Name}: {scenario.Title}, injected on purpose";
        var id = await commands.StartAsync(channel, actor, summary, drill: false, reply, cancellationToken, commandText: $"/dbincident drill --live {scenario.Name}");
        var incident = id is null ? null : await store.GetAsync(id, cancellationToken);
        if (incident is null || !incident.IsLiveDrill || !string.Equals(incident.DeclaredBy, actor, StringComparison.Ordinal) || !incident.IsOpen)
        {
            // Another incident opened here meanwhile (or declaring was refused): the fault is removed again below.
            throw new LiveDrillException(id is null ? "the incident could not be declared" : $"{id} opened in this channel meanwhile; the live drill did not take it over");
        }

        return id!;
    }

    /// <summary>
    /// Polls the incident: recovered when the scenario's remedy (the slot drop) succeeded and was verified by the
    /// bot and the fault is gone from the primary (the time of the bot's verification), or when the incident is
    /// resolved with the fault gone (the time of the resolution).
    /// </summary>
    private async Task<(DateTimeOffset? At, string By)> WaitForRecoveryAsync(string incidentId, SlotFillFault fault, DateTimeOffset injectedAt, LiveDrillOptions o, CancellationToken cancellationToken)
    {
        while (true)
        {
            var incident = await store.GetAsync(incidentId, cancellationToken);
            if (incident is null)
            {
                return (null, $"{incidentId} is no longer in the store");
            }

            var remedy = incident.Actions.LastOrDefault(a => a.Kind == RemediationKind.DropReplicationSlot && a.Status == ActionStatus.Succeeded && !a.DryRun);
            if (remedy is not null && await fault.IsGoneAsync(cancellationToken))
            {
                var verified = incident.Timeline.LastOrDefault(e => e.Kind == TimelineKind.Verification && string.Equals(e.ActionId, remedy.Id, StringComparison.Ordinal))?.At
                               ?? remedy.FinishedAt ?? time.GetUtcNow();
                return (verified, $"{remedy.Id} (drop slot {remedy.Target}) approved by {remedy.DecidedBy ?? "unknown"} and verified; the slot is gone from the primary");
            }

            if (!incident.IsOpen)
            {
                return await fault.IsGoneAsync(cancellationToken)
                    ? (incident.ResolvedAt ?? time.GetUtcNow(), $"{incidentId} {incident.State.ToString().ToLowerInvariant()} with the slot gone")
                    : (null, $"{incidentId} was {incident.State.ToString().ToLowerInvariant()} while the slot was still in place");
            }

            if (time.GetUtcNow() - injectedAt > o.Timeout)
            {
                return (null, $"not recovered within the drill's limit of {Durations.Format(o.Timeout)}");
            }

            await Task.Delay(o.PollInterval, time, cancellationToken);
        }
    }

    private async Task FinishAsync(
        LiveDrillScenario scenario,
        SlotFillFault fault,
        DrillWriter writer,
        QualifiedName table,
        PostgresConnector connector,
        string? incidentId,
        string? faultText,
        DateTimeOffset? injectedAt,
        (DateTimeOffset? At, string By) recovery,
        ReplyTarget reply)
    {
        using var budget = new CancellationTokenSource(RestoreBudget, time);
        var token = budget.Token;
        long? survived = null;
        IReadOnlyList<LostWrite> lost = [];
        string? problem = null;
        var ledger = writer.Ledger;
        if (ledger.Acknowledged > 0)
        {
            try
            {
                (survived, lost) = ledger.Compare(await writer.ReadBackAsync(token));
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                problem = $"the writer's table could not be read back on the primary ({ex.GetType().Name}), so survived and lost are unknown";
            }
        }
        else
        {
            survived = 0;
        }

        var restoreProblems = new List<string>();
        var progress = new Progress<string>(line => Log.Step(logger, scenario.Name, line));
        try
        {
            restoreProblems.AddRange(await fault.RestoreAsync(progress, token));
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException or HttpRequestException)
        {
            restoreProblems.Add($"restoring failed ({ex.GetType().Name}): drop slot {fault.Slot} and remove it from Patroni's ignore_slots by hand");
        }

        try
        {
            await ExecAsync(connector, DrillWriter.DropSql(table), token);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            restoreProblems.Add($"could not drop the writer's table {table.Text} ({ex.GetType().Name}): drop it by hand");
        }

        var restored = restoreProblems.Count == 0
            ? $"Cluster restored: slot {fault.Slot} gone, the drill's ignore_slots entry removed, {table.Text} dropped."
            : ":warning: Not fully restored: " + string.Join("; ", restoreProblems) + ".";
        Log.Finished(logger, scenario.Name, recovery.At is not null, ledger.Acknowledged, survived ?? -1, lost.Count, restoreProblems.Count == 0);
        if (incidentId is null || injectedAt is null)
        {
            await mutator.ReplyAsync(reply, $":x: Live drill {scenario.Name} did not start: {recovery.By}. {restored}", CancellationToken.None);
            return;
        }

        var result = new LiveDrillResult(scenario.Name, faultText ?? "unknown", injectedAt.Value, recovery.At, recovery.By, ledger.Acknowledged, survived, lost, ledger.Failed, problem);
        var wasResolved = false;
        await mutator.MutateAsync(incidentId, (incident, batch, now) =>
        {
            wasResolved = incident.ReportMarkdown is not null;
            incident.RecordLiveDrill(result, now);
            batch.Thread(IncidentMessages.Text(Message(result, restored)));
            return DomainResult.Ok();
        }, CancellationToken.None);
        if (wasResolved)
        {
            // The document was written before the drill's figures: write it again with them.
            reports.StartReport(incidentId);
        }
    }

    /// <summary>The thread message with the drill's figures.</summary>
    internal static string Message(LiveDrillResult result, string restored)
    {
        ArgumentNullException.ThrowIfNull(result);
        var icon = result.RecoveredAt is null || result.Lost.Count > 0 || result.Survived is null ? ":warning:" : ":white_check_mark:";
        var lost = result.Lost.Count == 0 ? string.Empty : $" Lost (sequence at the LSN its INSERT returned): {result.LostNames()}.";
        var unknown = result.Problem is null ? string.Empty : $" Unknown: {result.Problem}.";
        return $"{icon} *{Format.Safe(result.Line())}*. Recovery: {Format.Safe(result.RecoveredBy)}. {result.Failed} write(s) got no acknowledgement (error or no answer; not counted).{lost}{unknown} {Format.Safe(restored)}";
    }

    private static async Task ExecAsync(PostgresConnector connector, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await connector.OpenPrimaryAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Live drill {Scenario} started by {User}")]
        public static partial void Started(ILogger logger, string scenario, string user);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Live drill refused for {User}: {Why}")]
        public static partial void Refused(ILogger logger, string user, string why);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Live drill {Scenario}: {Step}")]
        public static partial void Step(ILogger logger, string scenario, string step);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Live drill {Scenario} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string scenario);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Live drill {Scenario} finished: recovered {Recovered}, acknowledged {Acknowledged}, survived {Survived}, lost {Lost}, restored {Restored}")]
        public static partial void Finished(ILogger logger, string scenario, bool recovered, long acknowledged, long survived, int lost, bool restored);
    }
}
