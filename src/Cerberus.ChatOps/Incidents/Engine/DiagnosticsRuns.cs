using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Drill;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Rendering;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>Runs the diagnostics in the background (on a start, on request, after a restart) and posts the findings.</summary>
internal sealed partial class DiagnosticsRuns(
    IncidentMutator mutator,
    IIncidentStore store,
    IncidentBackends backends,
    IOptionsMonitor<IncidentOptions> options,
    UserRateLimiter rateLimiter,
    BackgroundWork work,
    ILogger<DiagnosticsRuns> logger)
{
    private IncidentOptions Options => options.CurrentValue;

    public async Task DiagnoseAsync(string incidentId, string actor, ReplyTarget reply, CancellationToken cancellationToken)
    {
        if (!rateLimiter.TryAcquire(RateLimitedOperation.Diagnose, actor))
        {
            var limits = Options.RateLimit;
            Log.RateLimited(logger, actor, "diagnose");
            CerberusMetrics.AccessRefused("rate_limit");
            var limited = await mutator.MutateAsync(incidentId, (incident, batch, now) =>
            {
                incident.RecordRefusal(actor, $"refused: run the diagnostics (over {limits.DiagnosesPerUser} runs in {Durations.Format(limits.Window)})", now);
                batch.Reply(reply, IncidentMessages.Text($":raised_hand: You have asked for the diagnostics {limits.DiagnosesPerUser} times in the last {Durations.Format(limits.Window)}; each run queries production, so that is the limit per person. The latest results are in the thread (`/dbincident status`)."));
                return new EngineRefusal.RateLimited();
            }, cancellationToken);
            if (limited.Incident is null)
            {
                await mutator.ReplyAsync(reply, IncidentReplies.Text(limited.Result), cancellationToken);
            }

            return;
        }

        var outcome = await mutator.MutateAsync(incidentId, (incident, batch, now) => IncidentMutator.ThreadOrRefuse(
            incident.BeginDiagnosis(actor, now), batch, reply,
            () => $":mag: {Format.User(actor)} asked for the diagnostics again; running them now…"), cancellationToken);
        if (outcome.Result.Succeeded)
        {
            StartDiagnostics(incidentId);
        }
        else if (outcome.Incident is null)
        {
            await mutator.ReplyAsync(reply, IncidentReplies.Text(outcome.Result), cancellationToken);
        }
    }

    public void StartDiagnostics(string incidentId) =>
        work.TryStart("diagnose:" + incidentId, ct => RunDiagnosticsAsync(incidentId, ct));

    private async Task RunDiagnosticsAsync(string incidentId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["IncidentId"] = incidentId });
        var current = await store.GetAsync(incidentId, cancellationToken);
        var report = await backends.DiagnosticsFor(current).RunAsync(null, cancellationToken);
        Log.Diagnosed(logger, incidentId, report.Classification, (report.FinishedAt - report.StartedAt).TotalMilliseconds);
        await mutator.MutateAsync(incidentId, (incident, batch, now) =>
        {
            var result = incident.CompleteDiagnosis(report, now);
            batch.Thread(IncidentMessages.Diagnosis(incident, report, incident.Drill ? DrillBackend.Kinds : backends.AvailableActions, Options.DryRun));
            return result;
        }, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Incident {IncidentId} diagnosed as {Classification} in {ElapsedMs:0} ms")]
        public static partial void Diagnosed(ILogger logger, string incidentId, Classification classification, double elapsedMs);

        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "User {User} is over the per-user limit of {Operation}; refused politely")]
        public static partial void RateLimited(ILogger logger, string user, string operation);
    }
}
