using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Domain.Incidents;

public sealed partial class Incident
{
    /// <summary>The leader watch (null until the watch first looked at the cluster for this incident).</summary>
    public LeaderWatch? LeaderWatch { get; private set; }

    /// <summary>
    /// One look of the leader watch: compares <paramref name="observation"/> with the watch and records what is new
    /// (each event once, in the timeline). The old leaders of the incident's own promotions start the watch too. A
    /// drill, or an incident no longer open, is not watched. Returns the events to post (empty when nothing is new).
    /// </summary>
    public IReadOnlyList<LeaderWatchEvent> WatchLeaders(LeaderObservation observation, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (!IsOpen || Drill)
        {
            return [];
        }

        var own = _actions
            .Where(a => a.Kind is RemediationKind.Switchover or RemediationKind.Failover && !a.DryRun
                        && a.Figures.ContainsKey(ActionFigureKeys.NewLeader)
                        && a.Figures.TryGetValue(ActionFigureKeys.OldLeader, out var old) && old is { Length: > 0 } && old != "unknown")
            .Select(a => a.Figures[ActionFigureKeys.OldLeader])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var watch = LeaderWatch ?? new LeaderWatch();
        var next = watch.Observe(observation, own, at, DiagnosisClassifier.RecentFailover, out var events);
        if (ReferenceEquals(next, watch) && LeaderWatch is not null)
        {
            return [];
        }

        LeaderWatch = next;
        foreach (var e in events)
        {
            _timeline.Add(new TimelineEntry(e.At, TimelineKind.LeaderWatch, BotActor, "leader watch: " + e.Text));
        }

        return events;
    }
}
