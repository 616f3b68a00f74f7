using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Timing;

namespace Cerberus.ChatOps.Cli;

/// <summary>
/// The break-glass CLI: one command through the same engine, store and approval policy as Slack, with the actor
/// <c>cli:&lt;name&gt;</c>. Public messages still go to the outbox (the channel gets them when Slack is back);
/// private answers come back through a <see cref="CliReplySink"/> and are printed. Exit codes: 0 done, 1 refused or
/// not found or still running at the deadline, 2 usage.
/// </summary>
internal sealed class IncidentCli(
    IncidentEngine engine,
    IIncidentStore store,
    BackgroundWork work,
    TimeProvider time,
    string actor,
    string? defaultChannel,
    TimeSpan wait,
    TextWriter output)
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int Usage = 2;

    /// <summary>How often a long wait says that an action is still running.</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(15);

    public const string HelpText = """
        Break-glass CLI (same engine, store and approvals as Slack; you act as cli:<name>):
          incident start "<summary>" --channel C123
          incident drill <primary-unresponsive|disk-full|connection-exhaustion> --channel C123
          incident status   [INC-…]
          incident diagnose [INC-…]
          incident propose <failover [candidate]|switchover|scale-down|scale-up [n]|cleanup|drop-slot <name>|checkpoint|expand-volume [pvc] [size]> [--incident INC-…] [--dry-run]
          incident approve <INC-…> <A-…> [--accept-risk]
          incident reject  <INC-…> <A-…>
          incident resolve  [INC-…] --root-cause "<text>" [--force]
          incident report   [INC-…]
          incident reconcile [INC-…]   (an action left Started by a process that is gone: check reality, finish it)
          incident list
        Without an incident id: --incident, else the open incident of --channel, else the only open incident.
        Your name: your OS user (SUDO_USER under sudo), never a switch. Approving needs cli:<name> on the roster (Cerberus:Approvers).
        """;

    public async Task<int> RunAsync(CliArguments args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var sink = new CliReplySink();
        var code = args.Verb switch
        {
            "start" or "drill" => await StartAsync(args, sink, cancellationToken),
            "status" => await StatusAsync(args, cancellationToken),
            "list" => await ListAsync(cancellationToken),
            "diagnose" => await OnIncidentAsync(args, sink, (i, r) => engine.Diagnostics.DiagnoseAsync(i.Id, actor, r, cancellationToken), cancellationToken),
            "propose" => await ProposeAsync(args, sink, cancellationToken),
            "approve" => await DecideAsync(args, sink, approve: true, cancellationToken),
            "reject" => await DecideAsync(args, sink, approve: false, cancellationToken),
            "resolve" => await OnIncidentAsync(args, sink, (i, r) => engine.Commands.ResolveAsync(i.Channel, actor, args.Option("root-cause") ?? string.Empty, args.Flag("force"), r, cancellationToken), cancellationToken),
            "report" => await ReportAsync(args, sink, cancellationToken),
            "reconcile" => await ReconcileAsync(args, sink, cancellationToken),
            "help" => Help(null),
            _ => Help($"Unknown command '{args.Verb}'."),
        };
        return code;
    }

    private int Help(string? problem)
    {
        if (problem is not null)
        {
            output.WriteLine(problem);
        }

        output.WriteLine(HelpText);
        return problem is null ? Ok : Usage;
    }

    private async Task<int> StartAsync(CliArguments args, CliReplySink sink, CancellationToken cancellationToken)
    {
        var channel = args.Option("channel") ?? defaultChannel;
        var summary = args.Rest.Trim();
        if (channel is null || summary.Length == 0)
        {
            return Help("start needs a summary and a channel: incident start \"API 500s\" --channel C123 (or Cerberus:Cli:Channel).");
        }

        var drill = args.Verb == "drill" || args.Flag("drill");
        if (drill)
        {
            if (Drill.DrillScenario.Find(summary) is not { } scenario)
            {
                return Help($"Name the drill scenario: incident drill <{Drill.DrillScenario.Names}> --channel C123.");
            }

            summary = scenario.Name;
        }

        var existing = await store.FindOpenInChannelAsync(channel, cancellationToken);
        var id = await engine.Commands.StartAsync(channel, actor, summary, drill, Reply(channel, sink), cancellationToken);
        var finished = await WaitAsync(cancellationToken);
        return await ReportBackAsync(id, sink, existing is null && id is not null && finished, cancellationToken);
    }

    private async Task<int> StatusAsync(CliArguments args, CancellationToken cancellationToken)
    {
        var incident = await FindAsync(args, First(args), cancellationToken);
        if (incident is null)
        {
            return Refused;
        }

        output.WriteLine(CliText.Incident(incident, time.GetUtcNow()));
        return Ok;
    }

    private async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        var incidents = await store.ListAsync(openOnly: false, limit: 15, cancellationToken);
        if (incidents.Count == 0)
        {
            output.WriteLine("No incidents yet.");
        }

        foreach (var i in incidents)
        {
            output.WriteLine($"{i.Id}  {i.State,-16} {i.Channel,-12} {i.DeclaredAt:yyyy-MM-dd HH:mm}Z  {CliText.Unescape(i.Summary)}");
        }

        return Ok;
    }

    private async Task<int> ProposeAsync(CliArguments args, CliReplySink sink, CancellationToken cancellationToken)
    {
        var words = args.Words.ToList();
        var incidentWord = args.Option("incident") ?? (words.Count > 0 && LooksLikeId(words[^1]) ? words[^1] : null);
        if (incidentWord is not null && words.Count > 0 && string.Equals(words[^1], incidentWord, StringComparison.Ordinal))
        {
            words.RemoveAt(words.Count - 1);
        }

        var (kind, arguments, problem) = ActionRequestParser.Parse(string.Join(' ', words));
        if (kind is null)
        {
            return Help(problem ?? "Name the action to propose.");
        }

        var incident = await FindAsync(args, incidentWord, cancellationToken);
        if (incident is null)
        {
            return Refused;
        }

        await engine.Proposer.ProposeAsync(incident.Id, actor, kind.Value, arguments, args.Flag("dry-run"), Reply(incident.Channel, sink), cancellationToken);
        var finished = await WaitAsync(cancellationToken);
        return await ReportBackAsync(incident.Id, sink, finished, cancellationToken);
    }

    private async Task<int> DecideAsync(CliArguments args, CliReplySink sink, bool approve, CancellationToken cancellationToken)
    {
        if (args.Words.Count < 2)
        {
            return Help($"{args.Verb} needs the incident and the action: incident {args.Verb} INC-2026-0001 A-1a2b3c4d");
        }

        var incidentId = args.Words[0].Trim().ToUpperInvariant();
        var actionId = args.Words[1].Trim();
        var incident = await store.GetAsync(incidentId, cancellationToken);
        var reply = Reply(incident?.Channel ?? string.Empty, sink);
        if (approve)
        {
            await engine.Approvals.ApproveAsync(incidentId, actionId, actor, args.Flag("accept-risk"), reply, cancellationToken);
        }
        else
        {
            await engine.Approvals.RejectAsync(incidentId, actionId, actor, reply, cancellationToken);
        }

        var finished = await WaitAsync(cancellationToken);
        return await ReportBackAsync(incident is null ? null : incidentId, sink, finished, cancellationToken);
    }

    /// <summary>
    /// The operator's "reconcile now": an action left Started (or approved, or unverified) by a process that is gone is
    /// checked against reality and finished here; one whose process is alive (its heartbeat fresh) is left to it.
    /// </summary>
    private async Task<int> ReconcileAsync(CliArguments args, CliReplySink sink, CancellationToken cancellationToken)
    {
        var incident = await FindAsync(args, First(args), cancellationToken);
        if (incident is null)
        {
            return Refused;
        }

        if (!await engine.Execution.ReconcileNowAsync(incident.Id, cancellationToken))
        {
            output.WriteLine($"{incident.Id} has no action to reconcile ({incident.State}).");
            return Refused;
        }

        var finished = await WaitAsync(cancellationToken);
        var after = await store.GetAsync(incident.Id, cancellationToken);
        if (after?.RunningAction is { Status: ActionStatus.Started } running && finished)
        {
            output.WriteLine($"{running.Id} is still run by {running.ExecutionOwner ?? "another process"}, whose heartbeat is fresh: left to it.");
        }

        return await ReportBackAsync(incident.Id, sink, finished, cancellationToken);
    }

    private async Task<int> ReportAsync(CliArguments args, CliReplySink sink, CancellationToken cancellationToken)
    {
        var incident = await FindAsync(args, First(args), cancellationToken, openOnly: false);
        if (incident is null)
        {
            return Refused;
        }

        if (incident.ReportMarkdown is null)
        {
            await engine.Reports.ReportAsync(incident.Channel, actor, incident.Id, Reply(incident.Channel, sink), cancellationToken);
            await WaitAsync(cancellationToken);
            incident = await store.GetAsync(incident.Id, cancellationToken) ?? incident;
        }

        if (incident.ReportMarkdown is { } markdown)
        {
            output.WriteLine(markdown);
            return Ok;
        }

        PrintReplies(sink);
        return Refused;
    }

    private async Task<int> OnIncidentAsync(CliArguments args, CliReplySink sink, Func<Incident, ReplyTarget, Task> command, CancellationToken cancellationToken)
    {
        var incident = await FindAsync(args, First(args), cancellationToken);
        if (incident is null)
        {
            return Refused;
        }

        await command(incident, Reply(incident.Channel, sink));
        var finished = await WaitAsync(cancellationToken);
        return await ReportBackAsync(incident.Id, sink, finished, cancellationToken);
    }

    /// <summary>Prints the private answers and the incident as the store has it now; refused when the engine answered privately.</summary>
    private async Task<int> ReportBackAsync(string? incidentId, CliReplySink sink, bool finished, CancellationToken cancellationToken)
    {
        var refused = PrintReplies(sink);
        var incident = incidentId is null ? null : await store.GetAsync(incidentId, cancellationToken);
        if (incident is not null)
        {
            output.WriteLine(CliText.Incident(incident, time.GetUtcNow()));
            output.WriteLine("Messages for the channel are in the outbox; they reach Slack when it is back.");
        }

        return refused || incident is null || !finished ? Refused : Ok;
    }

    private bool PrintReplies(CliReplySink sink)
    {
        foreach (var message in sink.Messages)
        {
            output.WriteLine("» " + CliText.Message(message).Replace("\n", "\n  ", StringComparison.Ordinal));
        }

        return sink.Messages.Count > 0;
    }

    /// <summary>
    /// Waits for the background work the command started (diagnostics, execution, verification, the document). An
    /// action this process runs is never abandoned: the wait goes on past the deadline, with a progress line, until it
    /// is done. Ctrl-C (or a kill) hands it over: this process's heartbeat lapses and the running bot (or
    /// <c>incident reconcile</c>) checks reality and finishes it.
    /// </summary>
    private async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var idle = await Poll.UntilAsync(time, wait, TimeSpan.Zero, ct => IdleOrTickAsync(started, ct), done => done, cancellationToken);
        if (!idle.Converged)
        {
            output.WriteLine($"Still running after {Durations.Format(wait)}; what happened so far is recorded. Run `incident status` again.");
        }

        return idle.Converged;
    }

    /// <summary>
    /// True once the work is done; false after a progress tick (15 s) with other work still going. An action this
    /// process runs keeps the tick going, with a line each time, however long it takes.
    /// </summary>
    private async Task<bool> IdleOrTickAsync(DateTimeOffset started, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await work.WhenIdleAsync().WaitAsync(ProgressEvery, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }

            if (!work.IsBusy)
            {
                return true;
            }

            if (!work.IsExecuting)
            {
                return false;
            }

            output.WriteLine($"… the action is still running ({Durations.Format(time.GetUtcNow() - started)}); it is not abandoned. Wait, or Ctrl-C to hand it to the running bot (it continues once this process's heartbeat lapses).");
        }
    }

    private async Task<Incident?> FindAsync(CliArguments args, string? word, CancellationToken cancellationToken, bool openOnly = true)
    {
        var id = args.Option("incident") ?? (word is not null && LooksLikeId(word) ? word : null);
        if (id is not null)
        {
            var byId = await store.GetAsync(id.Trim().ToUpperInvariant(), cancellationToken);
            if (byId is null)
            {
                output.WriteLine($"There is no incident {id}. `incident list` shows the recent ones.");
            }

            return byId;
        }

        if ((args.Option("channel") ?? defaultChannel) is { } channel)
        {
            var inChannel = await store.FindOpenInChannelAsync(channel, cancellationToken);
            if (inChannel is not null || openOnly)
            {
                if (inChannel is null)
                {
                    output.WriteLine($"There is no open incident in {channel}.");
                }

                return inChannel;
            }
        }

        var candidates = await store.ListAsync(openOnly, limit: 50, cancellationToken);
        if (candidates.Count == 1 || (!openOnly && candidates.Count > 0))
        {
            return await store.GetAsync(candidates[0].Id, cancellationToken);
        }

        output.WriteLine(candidates.Count == 0
            ? "There is no open incident. `incident list` shows the recent ones."
            : $"{candidates.Count} incidents are open ({string.Join(", ", candidates.Select(c => c.Id))}): name one with --incident.");
        return null;
    }

    private static string? First(CliArguments args) => args.Words.Count > 0 ? args.Words[0] : null;

    private static bool LooksLikeId(string word) => word.StartsWith("INC-", StringComparison.OrdinalIgnoreCase);

    private ReplyTarget Reply(string channel, CliReplySink sink) => new(channel, actor, null, sink);
}
