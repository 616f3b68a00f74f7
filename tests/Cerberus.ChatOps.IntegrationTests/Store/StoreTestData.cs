using Cerberus.ChatOps.Domain.Access;
using System.Text.Json;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.IntegrationTests.Store;

/// <summary>Incidents, inbound items and outbox items for the store contract.</summary>
internal static class StoreTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Everything = new() { WriteIndented = true };

    /// <summary>Every public property, computed ones included, with the test's own serializer (not the store's).</summary>
    public static string Dump(Incident incident) => JsonSerializer.Serialize(incident.ToSnapshot(), Everything);

    public static Incident Declared(string id, string channel, DateTimeOffset at) =>
        Incident.Declare(id, channel, "primary down", "U1", at);

    /// <summary>An incident that went through everything the snapshot holds: diagnoses, a full action ledger, reminders, a report.</summary>
    public static Incident Rich(string id, string channel)
    {
        var at = T0;
        var incident = Incident.Declare(id, channel, "orders database refuses connections", "U1", at, drill: true);
        Ok(incident.ChangeCommander("U2", "U1", ApprovalPolicy.Default, at.AddSeconds(10)));
        Ok(incident.BeginDiagnosis("U2", at.AddSeconds(20)));
        var report = new DiagnosisReport(
            at.AddSeconds(20),
            at.AddSeconds(23).AddTicks(1234567),
            [
                new ProbeResult(
                    "connectivity",
                    ProbeStatus.Crit,
                    "the primary refuses connections",
                    ["10.0.0.5:5432 refused", "timeout after 3 s"],
                    new Dictionary<string, string>(StringComparer.Ordinal) { ["primary_reachable"] = "false", ["latency_ms"] = "3000" },
                    TimeSpan.FromMilliseconds(3012.5),
                    new DateTimeOffset(2026, 11, 26, 4, 51, 0, TimeSpan.FromHours(2))),
                ProbeResult.Of("disk", ProbeStatus.Ok, "disk 41 % used", TimeSpan.FromMilliseconds(120)),
            ],
            Classification.PrimaryUnresponsive,
            "The primary does not answer; the replica is healthy.",
            [RemediationKind.Failover, RemediationKind.Switchover]);
        Ok(incident.CompleteDiagnosis(report, at.AddSeconds(24)));
        var action = new ActionRecord
        {
            Id = "act-1",
            Kind = RemediationKind.ScaleBackendDown,
            Target = "deployment/cerberus-backend",
            Description = "scale cerberus-backend from 3 to 0 replicas",
            BasedOn = "3 replicas ready",
            ObservedFingerprint = "replicas=3",
            Parameters = { ["replicas"] = "0", ["previous"] = "3" },
            RiskWarning = "the application is down while scaled to 0",
            ProposedBy = "U2",
            ProposedAt = at.AddMinutes(1),
            ExpiresAt = at.AddMinutes(16),
            UndoKind = RemediationKind.ScaleBackendUp,
        };
        Ok(incident.ProposeAction(action, ApprovalPolicy.Default, at.AddMinutes(1)));
        Ok(incident.Approve("act-1", "U2", riskAccepted: true, ApprovalPolicy.Default, at.AddMinutes(2)));
        Ok(incident.MarkStarted("act-1", at.AddMinutes(2).AddSeconds(1)));
        Ok(incident.RecordExecution("act-1", succeeded: true, "scaled to 0",
            new Dictionary<string, string>(StringComparer.Ordinal) { ["replicas_before"] = "3", ["replicas_after"] = "0" }, at.AddMinutes(3)));
        Ok(incident.RecordVerification("act-1", passed: true, "3 → 0 pods", at.AddMinutes(4)));
        incident.RecordReminder(50, at.AddHours(2));
        incident.RecordCommand("U2", "/dbincident status", at.AddHours(2).AddSeconds(1));
        incident.RecordRefusal("U4", "refused: approve a change (not on the approver roster)", at.AddHours(2).AddSeconds(2));
        Ok(incident.AddNote("U3", "customers notified — \"status page\" updated", at.AddHours(2).AddSeconds(3)));
        Ok(incident.Escalate("U2", "Platform Engineering", at.AddHours(2).AddSeconds(4)));
        incident.AttachReport("# INC report\n\n| a | b |\n");
        return incident;
    }

    /// <summary>A diagnosis run that finds the primary down since <paramref name="since"/> (the incident's detection time).</summary>
    public static void SymptomsSince(Incident incident, DateTimeOffset since, DateTimeOffset at)
    {
        Ok(incident.BeginDiagnosis("U1", at));
        var crit = ProbeResult.Of("connectivity", ProbeStatus.Crit, "the primary refuses connections", TimeSpan.FromSeconds(1)) with { SymptomSince = since };
        Ok(incident.CompleteDiagnosis(new DiagnosisReport(at, at, [crit], Classification.PrimaryUnresponsive, "The primary does not answer.", []), at));
    }

    public static OutboxItem Outbox(string id, string incidentId, DateTimeOffset createdAt, OutboxStatus status = OutboxStatus.Pending, DateTimeOffset? next = null, string channel = "C-OPS") => new()
    {
        Id = id,
        IncidentId = incidentId,
        Kind = "post",
        Channel = channel,
        Payload = $$"""{"text":"message {{id}}"}""",
        MessageRef = "header",
        CreatedAt = createdAt,
        Status = status,
        NextAttemptAt = next ?? createdAt,
    };

    public static InboundItem Inbound(string key, DateTimeOffset receivedAt) => new()
    {
        Key = key,
        Kind = "command",
        Payload = $$"""{"command":"/dbincident","text":"status","key":"{{key}}"}""",
        ReceivedAt = receivedAt,
    };

    private static void Ok(DomainResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("test data: " + result);
        }
    }
}
