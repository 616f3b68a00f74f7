using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>
/// Sorts probe results into the runbook's branches, as a DBA reads them: primary unresponsive first (the RTO runs),
/// then disk full, connection exhaustion, replication broken; healthy when nothing fires; inconclusive when too
/// little is known or a critical finding fits no branch. A pure function: same results, same verdict.
/// </summary>
public static partial class DiagnosisClassifier
{
    /// <summary>Used space of the data volume at which the disk counts as full (runbook: &gt; 90 % crit).</summary>
    public const double DiskFullPercent = 90;

    /// <summary>With pg_wal above its limit, the disk counts as full when the volume reports at least this (unknown is not full).</summary>
    public const double WalSuspectDiskPercent = 80;

    /// <summary>Saturation of usable connections that counts as exhaustion.</summary>
    public const double ExhaustionPercent = 95;

    /// <summary>A timeline switch in Patroni's /history younger than this is a failover whose aftermath is still open.</summary>
    public static readonly TimeSpan RecentFailover = TimeSpan.FromMinutes(30);

    public static DiagnosisVerdict Classify(IEnumerable<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = DiagnosisSignals.From(results);
        if ((SplitBrain(s) ?? WrongCluster(s) ?? RoleLimited(s)) is { } stop)
        {
            return Clean(stop);
        }

        var verdict = WithUnknownFreeSpace(s, ClassifyBranches(s));
        return Clean(WithAftermath(s, verdict));
    }

    private static DiagnosisVerdict ClassifyBranches(DiagnosisSignals s)
    {
        var branches = new List<DiagnosisVerdict>();
        AddIf(branches, DcsUnreachable(s));
        AddIf(branches, FailedOver(s));
        AddIf(branches, PrimaryUnresponsive(s));
        AddIf(branches, Wraparound(s, urgent: true));
        AddIf(branches, DiskFull(s));
        AddIf(branches, ConnectionExhaustion(s));
        AddIf(branches, ReplicationBroken(s));
        AddIf(branches, Wraparound(s, urgent: false));

        if (branches.Count == 0)
        {
            var verdict = HealthyOrInconclusive(s);
            if (s.AppTrouble is { } trouble && verdict.Classification == Classification.Healthy)
            {
                verdict = verdict with
                {
                    Sentence = verdict.Sentence.Replace("; no runbook action is needed.", string.Empty, StringComparison.Ordinal)
                        + $"; but the app's health URL {trouble}, so the fault is likely outside the database.",
                };
            }

            return verdict;
        }

        var top = branches[0];
        var recommended = new List<RemediationKind>(top.Recommended);
        foreach (var other in branches.Skip(1))
        {
            foreach (var kind in other.Recommended.Where(k => !recommended.Contains(k) && !Conflicts(recommended, k)))
            {
                recommended.Add(kind);
            }
        }

        var sentence = top.Sentence;
        if (branches.Count > 1)
        {
            sentence = sentence.TrimEnd('.') + "; also " + string.Join("; ", branches.Skip(1).Select(b => Lower(Head(b.Sentence)))) + ".";
        }

        if (s.AppTrouble is { } appTrouble)
        {
            sentence = sentence.TrimEnd('.') + $"; the app's health URL {appTrouble}.";
        }

        return new DiagnosisVerdict(top.Classification, sentence, top.Classification == Classification.DcsUnreachable ? WithoutPromotion(recommended) : recommended);
    }

    private static void AddIf(List<DiagnosisVerdict> branches, DiagnosisVerdict? verdict)
    {
        if (verdict is not null)
        {
            branches.Add(verdict);
        }
    }

    /// <summary>A switchover and a failover never go together: the top branch's choice stands.</summary>
    private static bool Conflicts(List<RemediationKind> chosen, RemediationKind kind) =>
        (kind == RemediationKind.Failover && chosen.Contains(RemediationKind.Switchover))
        || (kind == RemediationKind.Switchover && chosen.Contains(RemediationKind.Failover));

    private static string ConnectTimeout(DiagnosisSignals s) =>
        DiagnosisSignals.Number(s.Connectivity, DiagnosisFactKeys.ConnectTimeoutSeconds) is { } t ? Durations.Format(t) : "its timeout";

    /// <summary>The part of a sentence before its first ';' (the finding, without the advice), without the final period.</summary>
    private static string Head(string sentence)
    {
        var cut = sentence.IndexOf(';', StringComparison.Ordinal);
        return (cut < 0 ? sentence : sentence[..cut]).TrimEnd('.');
    }

    private static string Lower(string text) => text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text[1..];

    private static DiagnosisVerdict Clean(DiagnosisVerdict verdict) =>
        verdict with { Sentence = SecretRedactor.Redact(verdict.Sentence) };
}
