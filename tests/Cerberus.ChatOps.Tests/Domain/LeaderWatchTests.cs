using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Store;

namespace Cerberus.ChatOps.Tests.Domain;

public sealed class LeaderWatchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Recent = TimeSpan.FromMinutes(30);

    private static MemberObservation Replica(string name, int timeline, string? reported = "replica") =>
        new(name, "replica", "running", timeline, reported, reported is null ? null : "running", null, new MemberAddress($"http://{name}:8008/patroni", name, 5432));

    private static MemberObservation Leader(string name, int timeline) =>
        new(name, "leader", "running", timeline, "master", "running", null, new MemberAddress($"http://{name}:8008/patroni", name, 5432));

    private static LeaderObservation Look(string leader, int timeline, int? history = null, params MemberObservation[] others) => new()
    {
        Leader = leader,
        LeaderTimeline = timeline,
        HistoryTimeline = history ?? timeline,
        Members = [Leader(leader, timeline), .. others],
        PatroniVersion = "3.0.2",
    };

    private static (LeaderWatch Watch, IReadOnlyList<LeaderWatchEvent> Events) Observe(LeaderWatch watch, LeaderObservation look, DateTimeOffset at, params string[] own)
    {
        var next = watch.Observe(look, own, at, Recent, out var events);
        return (next, events);
    }

    [Fact]
    public void Observe_FirstLookWithoutRecentSwitch_BaselineOnlyNothingPosted()
    {
        // arrange
        var look = Look("pg1", 3, others: Replica("pg2", 3)) with { HistoryPreviousLeader = "pg2", HistoryAt = T0 - TimeSpan.FromHours(2) };

        // act
        var (watch, events) = Observe(new LeaderWatch(), look, T0);

        // assert
        Assert.Empty(events);
        Assert.False(watch.IsWatching);
        Assert.Equal("pg1", watch.Leader);
        Assert.Equal(3, watch.Timeline);
        Assert.Empty(watch.FormerLeaders);
    }

    [Fact]
    public void Observe_LeaderChangesAfterBaseline_StartsOncePostsTheChange()
    {
        // arrange
        var (baseline, _) = Observe(new LeaderWatch(), Look("pg1", 3, others: Replica("pg2", 3)), T0);
        var changed = Look("pg2", 4, others: Replica("pg1", 4));

        // act
        var (watch, events) = Observe(baseline, changed, T0.AddSeconds(5));
        var (again, repeated) = Observe(watch, changed, T0.AddSeconds(10));

        // assert
        var change = Assert.Single(events);
        Assert.Equal(LeaderWatchEventKind.LeaderChanged, change.Kind);
        Assert.Equal("pg1", change.Member);
        Assert.Equal("pg2", change.Leader);
        Assert.StartsWith("leader change pg1 → pg2 (timeline 4; seen in /cluster)", change.Text, StringComparison.Ordinal);
        Assert.Equal(T0.AddSeconds(5), watch.StartedAt);
        Assert.Equal(["pg1"], watch.FormerLeaders);
        Assert.Empty(repeated);
        Assert.Same(watch, again);
    }

    [Fact]
    public void Observe_FirstLookWithSwitchTenMinutesOld_StartsFromHistory()
    {
        // arrange
        var look = Look("pg2", 4, others: Replica("pg1", 4)) with { HistoryPreviousLeader = "pg1", HistoryAt = T0.AddMinutes(-10) };

        // act
        var (watch, events) = Observe(new LeaderWatch(), look, T0);

        // assert
        var change = Assert.Single(events);
        Assert.Contains("/history: timeline 4 began 09:50:00 UTC", change.Text, StringComparison.Ordinal);
        Assert.True(watch.IsWatching);
        Assert.Equal(["pg1"], watch.FormerLeaders);
    }

    [Fact]
    public void Observe_BotsOwnSwitchover_StartsTheWatchWithItsOldLeader()
    {
        // arrange
        var look = Look("pg2", 4, others: Replica("pg1", 4));

        // act
        var (watch, events) = Observe(new LeaderWatch(), look, T0, "pg1");

        // assert
        Assert.Contains("the bot's own promotion", Assert.Single(events).Text, StringComparison.Ordinal);
        Assert.Equal(["pg1"], watch.FormerLeaders);
    }

    [Fact]
    public void Observe_FormerLeaderLeadsAgain_FlipBackOnce()
    {
        // arrange
        var (baseline, _) = Observe(new LeaderWatch(), Look("pg1", 3, others: Replica("pg2", 3)), T0);
        var (watching, _) = Observe(baseline, Look("pg2", 4, others: Replica("pg1", 4)), T0.AddSeconds(5));
        var back = Look("pg1", 5, others: Replica("pg2", 5));

        // act
        var (watch, events) = Observe(watching, back, T0.AddSeconds(10));
        var (_, repeated) = Observe(watch, back, T0.AddSeconds(15));

        // assert
        var flip = Assert.Single(events);
        Assert.Equal(LeaderWatchEventKind.FlipBack, flip.Kind);
        Assert.True(flip.IsAlarm);
        Assert.Equal("pg1", flip.Member);
        Assert.StartsWith("flip-back: pg1, a former leader, holds the leader key again (from pg2)", flip.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("behind", flip.Text, StringComparison.Ordinal);
        Assert.Equal(["pg1", "pg2"], watch.FormerLeaders);
        Assert.Empty(repeated);
    }

    [Fact]
    public void Observe_StalePrimaryTakesTheLockBackOnItsOldTimeline_FlipBackSaysBehindHistory()
    {
        // arrange: pg2 promoted to timeline 4; pg1 wakes on timeline 3 and takes the key (3.0.2 rewrites /history back to 3)
        var (watching, _) = Observe(new LeaderWatch(), Look("pg2", 4, others: Replica("pg1", 3, reported: null)), T0, "pg1");
        var stale = Look("pg1", 3, history: 3, others: Replica("pg2", 4, reported: "master"));

        // act
        var (watch, events) = Observe(watching, stale, T0.AddSeconds(5));

        // assert
        var flip = events.Single(e => e.Kind == LeaderWatchEventKind.FlipBack);
        Assert.Contains("on timeline 3, behind /history's timeline 4: it did not promote, it took the lock back while still a primary on its old timeline", flip.Text, StringComparison.Ordinal);
        var promoted = events.Single(e => e.Kind == LeaderWatchEventKind.StalePrimary);
        Assert.Equal("pg2", promoted.Member);
        Assert.Equal(4, watch.HistoryTimeline);
        Assert.Equal("3.0.2", flip.PatroniVersion);
    }

    [Fact]
    public void Observe_KeyHolderBehindHistoryOnFirstLook_FlipBackWithoutAChange()
    {
        // arrange
        var look = Look("pg1", 3, history: 4, others: Replica("pg2", 4));

        // act
        var (watch, events) = Observe(new LeaderWatch(), look, T0);

        // assert
        var flip = Assert.Single(events);
        Assert.Equal(LeaderWatchEventKind.FlipBack, flip.Kind);
        Assert.StartsWith("pg1 holds the leader key, on timeline 3, behind /history's timeline 4", flip.Text, StringComparison.Ordinal);
        Assert.True(watch.IsWatching);
    }

    [Fact]
    public void Observe_FormerLeaderStillPrimaryThenRejoins_StaleOnceThenRejoinedOnce()
    {
        // arrange
        var (watching, _) = Observe(new LeaderWatch(), Look("pg2", 4, others: Replica("pg1", 4)), T0, "pg1");
        var frozen = new MemberObservation("pg1", "replica", "running", 3, null, null, false, new MemberAddress(null, "10.0.0.1", 5432));
        var stale = Look("pg2", 4, others: frozen);
        var back = Look("pg2", 4, others: Replica("pg1", 4));

        // act
        var (afterStale, staleEvents) = Observe(watching, stale, T0.AddSeconds(5));
        var (_, staleAgain) = Observe(afterStale, stale, T0.AddSeconds(10));
        var (afterBack, backEvents) = Observe(afterStale, back, T0.AddSeconds(15));
        var (_, backAgain) = Observe(afterBack, back, T0.AddSeconds(20));

        // assert
        var alarm = Assert.Single(staleEvents);
        Assert.Equal(LeaderWatchEventKind.StalePrimary, alarm.Kind);
        Assert.Equal("stale primary: pg1, a former leader, still runs as a primary (its PostgreSQL at 10.0.0.1:5432 answers pg_is_in_recovery() = false) while pg2 holds the leader key (timeline 4): two servers may take writes", alarm.Text);
        Assert.Empty(staleAgain);
        var rejoined = Assert.Single(backEvents);
        Assert.Equal(LeaderWatchEventKind.Rejoined, rejoined.Kind);
        Assert.Equal("pg1 is back as a replica of pg2 on timeline 4", rejoined.Text);
        Assert.Empty(backAgain);
        Assert.Equal(new MemberAddress(null, "10.0.0.1", 5432), afterStale.Addresses["pg1"]);
    }

    [Fact]
    public void Observe_OldLeaderShuttingDownForASwitchover_RoleMasterWhileStoppingIsNoAlarm()
    {
        // arrange: 3.0.2 answers Patroni's internal role ("master") while PostgreSQL stops, after the key was released
        var (watching, _) = Observe(new LeaderWatch(), Look("pg1", 3, others: Replica("pg2", 3)), T0);
        var stopping = new MemberObservation("pg1", "replica", "stopped", 3, "master", "stopped", null, new MemberAddress(null, "10.0.0.1", 5432));

        // act
        var (watch, events) = Observe(watching, Look("pg2", 4, others: stopping), T0.AddSeconds(5));

        // assert
        Assert.Equal(LeaderWatchEventKind.LeaderChanged, Assert.Single(events).Kind);
        Assert.Null(stopping.PrimaryEvidence);
        Assert.False(stopping.ReportedByPostgres);
        Assert.True(watch.IsWatching);
    }

    [Fact]
    public void Observe_ReplicaNeverAlarmed_NoRejoinedEvent()
    {
        // arrange
        var (watching, _) = Observe(new LeaderWatch(), Look("pg2", 4, others: Replica("pg1", 3)), T0, "pg1");

        // act
        var (_, events) = Observe(watching, Look("pg2", 4, others: Replica("pg1", 4)), T0.AddSeconds(5));

        // assert
        Assert.Empty(events);
    }

    [Fact]
    public void Observe_NoKeyHolder_SameInstanceNothingPosted()
    {
        // arrange
        var (watching, _) = Observe(new LeaderWatch(), Look("pg2", 4, others: Replica("pg1", 4)), T0, "pg1");

        // act
        var (watch, events) = Observe(watching, new LeaderObservation { Members = [Replica("pg1", 4)] }, T0.AddSeconds(5));

        // assert
        Assert.Same(watching, watch);
        Assert.Empty(events);
    }

    [Fact]
    public void WatchLeaders_DrillIncident_NotWatched()
    {
        // arrange
        var incident = Incident.Declare("INC-2026-0001", "C1", "drill", "U1", T0, drill: true);

        // act
        var events = incident.WatchLeaders(Look("pg2", 4, others: Replica("pg1", 4)) with { HistoryPreviousLeader = "pg1", HistoryAt = T0 }, T0);

        // assert
        Assert.Empty(events);
        Assert.Null(incident.LeaderWatch);
    }

    [Fact]
    public void WatchLeaders_AfterOwnSwitchover_TimelineEntrySurvivesTheStoreDocument()
    {
        // arrange
        var incident = Incident.Declare("INC-2026-0001", "C1", "API 500s", "U1", T0);
        var switchover = new ActionRecord
        {
            Id = "A-1",
            Kind = RemediationKind.Switchover,
            Target = "pg2",
            Description = "POST /switchover",
            BasedOn = "healthy",
            ObservedFingerprint = "f",
            ProposedBy = "U1",
            ProposedAt = T0,
            ExpiresAt = T0.AddMinutes(15),
            Status = ActionStatus.Succeeded,
            Figures = new() { [ActionFigureKeys.OldLeader] = "pg1", [ActionFigureKeys.NewLeader] = "pg2" },
        };
        var restored = Incident.Restore(incident.ToSnapshot() with { Actions = [switchover] });

        // act
        var events = restored.WatchLeaders(Look("pg2", 4, others: Replica("pg1", 4)), T0.AddMinutes(1));
        var reloaded = Incident.Restore(IncidentDocument.Deserialize(IncidentDocument.Serialize(restored.ToSnapshot()), 2));

        // assert
        Assert.Single(events);
        Assert.Contains(restored.Timeline, e => e.Kind == TimelineKind.LeaderWatch && e.Text.StartsWith("leader watch: leader change pg1 → pg2", StringComparison.Ordinal));
        Assert.Equal(restored.LeaderWatch, reloaded.LeaderWatch! with { FormerLeaders = restored.LeaderWatch!.FormerLeaders, Addresses = restored.LeaderWatch.Addresses, Events = restored.LeaderWatch.Events });
        Assert.Equal(["pg1"], reloaded.LeaderWatch!.FormerLeaders);
        Assert.Equal(restored.LeaderWatch.Events, reloaded.LeaderWatch.Events);
        Assert.Equal(restored.LeaderWatch.Addresses, reloaded.LeaderWatch.Addresses);
        Assert.Empty(reloaded.WatchLeaders(Look("pg2", 4, others: Replica("pg1", 4)), T0.AddMinutes(2)));
    }
}
