using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Domain.Diagnostics;

public static partial class DiagnosisClassifier
{
    /// <summary>
    /// Patroni cannot reach its DCS (the Patroni probe's <see cref="DcsFactKeys.Unreachable"/>, or the log line
    /// "DCS is not accessible" while no fresh Patroni view says otherwise). It ranks first and takes every failover and
    /// switchover off the list: Patroni 3.0.2 writes the failover key to the DCS before anything happens
    /// (<c>api.py</c> <c>do_POST_failover</c>: 503 "failed to write failover key into DCS"), no member can take the
    /// leader lock without it, and a promotion by hand leaves two primaries when the DCS comes back.
    /// </summary>
    private static DiagnosisVerdict? DcsUnreachable(DiagnosisSignals s)
    {
        var flagged = DiagnosisSignals.Flag(s.Patroni, DcsFactKeys.Unreachable);
        var logged = s.Signatures.Contains("dcs_unreachable") && !s.PatroniAnswered;
        if (!flagged && !logged)
        {
            return null;
        }

        var evidence = new List<string>();
        if (DiagnosisSignals.Number(s.Patroni, DcsFactKeys.LastSeenAgeSeconds) is { } age)
        {
            evidence.Add($"the freshest Patroni member last read it {Durations.Format(age)} ago");
        }

        if (DiagnosisSignals.Flag(s.Patroni, DcsFactKeys.ClusterUnanswered))
        {
            evidence.Add("no member answers /cluster");
        }

        if (logged)
        {
            evidence.Add("the Patroni log shows \"DCS is not accessible\"");
        }

        var failsafe = DiagnosisSignals.Names(DiagnosisSignals.Text(s.Patroni, DcsFactKeys.FailsafeMembers));
        var primaries = DiagnosisSignals.Names(DiagnosisSignals.Text(s.Patroni, DcsFactKeys.PrimaryMembers));
        var writes = failsafe.Length > 0
            ? $"failsafe mode is active on {string.Join(", ", failsafe)}: the primary keeps running only while every member answers its POST /failsafe"
            : primaries.Length > 0
                ? $"{string.Join(", ", primaries)} still runs as primary, and without failsafe_mode Patroni 3.0.2 demotes it once it cannot update the leader key (ha.py _handle_dcs_error)"
                : flagged
                    ? "no member runs as primary: without failsafe_mode Patroni 3.0.2 demotes the leader when it cannot reach the DCS (ha.py _handle_dcs_error), so writes fail until the DCS is back"
                    : "whether a primary still runs is unknown";
        var sentence = "DCS unreachable: Patroni cannot reach its DCS (" + string.Join(", ", evidence.DefaultIfEmpty("the Patroni probe reports it")) + "); " + writes +
                       "; do not fail over or switch over: Patroni writes the failover key to the DCS first (POST /failover answers 503 \"failed to write failover key into DCS\"), no member can take the leader lock without it, and promoting a member by hand leaves two primaries when the DCS comes back; restore the DCS first (the etcd members, their quorum, the network from the Patroni pods), then diagnose again.";
        return new(Classification.DcsUnreachable, sentence, []);
    }

    /// <summary>Under an unreachable DCS no failover or switchover is offered, whatever another branch asked for.</summary>
    private static List<RemediationKind> WithoutPromotion(List<RemediationKind> recommended) =>
        recommended.Where(k => k is not (RemediationKind.Failover or RemediationKind.Switchover)).ToList();
}
