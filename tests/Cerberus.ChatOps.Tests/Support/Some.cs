using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>Test data in one place (Serilog's <c>Some</c>).</summary>
internal static class Some
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    public const string Starter = "U0STARTER";
    public const string Approver = "U0APPROVER";
    public const string Stranger = "U0STRANGER";

    /// <summary>The roster holds <see cref="Approver"/> only; the second-person rule is off unless asked for.</summary>
    public static ApprovalPolicy Policy(bool twoPerson = false, params string[] roster) =>
        new(new HashSet<string>(roster.Length == 0 ? [Approver] : roster, StringComparer.Ordinal), twoPerson ? SecondPersonRule.All : SecondPersonRule.None, TimeSpan.FromMinutes(15));

    public static Incident DeclaredIncident(string id = "INC-2026-0001") =>
        Incident.Declare(id, "C0INCIDENT", "API returns 500s", Starter, T0);

    public static DiagnosisReport Diagnosis(Classification classification = Classification.PrimaryUnresponsive, DateTimeOffset? at = null, DateTimeOffset? symptomSince = null)
    {
        var when = at ?? T0.AddSeconds(3);
        var facts = new Dictionary<string, string>(StringComparer.Ordinal) { [FactKeys.Connectivity] = "timeout" };
        var probe = new ProbeResult(ProbeNames.Connectivity, ProbeStatus.Unknown, "connect timed out after 5 s", [], facts, TimeSpan.FromSeconds(5), symptomSince);
        return new DiagnosisReport(when.AddSeconds(-3), when, [probe], classification, "Primary unresponsive.", [RemediationKind.Failover]);
    }

    /// <summary>An incident waiting for a decision, diagnosed 3 s after declaration.</summary>
    public static Incident DiagnosedIncident()
    {
        var incident = DeclaredIncident();
        incident.BeginDiagnosis(Incident.BotActor, T0);
        incident.CompleteDiagnosis(Diagnosis(), T0.AddSeconds(3));
        return incident;
    }

    public static ActionRecord Action(
        string id = "A-1",
        RemediationKind kind = RemediationKind.Failover,
        string proposedBy = Starter,
        DateTimeOffset? at = null,
        string? risk = null,
        RemediationKind? undoKind = null) => new()
    {
        Id = id,
        Kind = kind,
        Target = kind is RemediationKind.Failover or RemediationKind.Switchover ? "pg2" : "cerberus-backend",
        Description = "POST http://127.0.0.1:8008/failover {\"candidate\":\"pg2\"}",
        BasedOn = "leader pg1 unreachable; pg2 running, lag 0 B",
        ObservedFingerprint = "leader=;tl=1;pg2=running/0",
        RiskWarning = risk,
        ProposedBy = proposedBy,
        ProposedAt = at ?? T0.AddMinutes(1),
        ExpiresAt = (at ?? T0.AddMinutes(1)).AddMinutes(15),
        UndoKind = undoKind,
    };
}
