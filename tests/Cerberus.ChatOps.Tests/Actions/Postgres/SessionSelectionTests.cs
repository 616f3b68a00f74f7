using Cerberus.ChatOps.Actions.Postgres;

namespace Cerberus.ChatOps.Tests.Actions.Postgres;

/// <summary>Which sessions the clean-up offers, which it never touches, and when an approved one is skipped at execution.</summary>
public sealed class SessionSelectionTests
{
    private static readonly SessionSelection Selection = new(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), "cerberus_monitor");

    private static SessionRow Row(
        int pid = 4242, string user = "app", string application = "backend", string state = "idle in transaction", string type = "client backend",
        double idle = 600, int victims = 0, double? wait = null, bool waiting = false, bool superuser = false, bool replication = false,
        long start = 1_700_000_000_000_001, long? xact = 1_700_000_100_000_002, string? query = "UPDATE accounts SET balance = balance - 1 WHERE id = 7") =>
        new(pid, start, xact, user, application, "10.0.0.5", state, type, query, idle, idle + 5, victims, wait, waiting, superuser, replication);

    [Theory]
    [InlineData("walsender", "Patroni", false, "not a client backend (walsender)")]
    [InlineData("client backend", "Patroni", false, "Patroni's session")]
    [InlineData("client backend", "Patroni ctl", false, "Patroni's session")]
    [InlineData("client backend", "pg_rewind", false, "Patroni's session")]
    [InlineData("client backend", "cerberus-chatops", false, "the bot's own session")]
    [InlineData("client backend", "cerberus-chatops-actions", false, "the bot's own session")]
    [InlineData("client backend", "psql", true, "a superuser's session (Patroni's superuser, or a DBA's): end it by hand if it is the cause")]
    public void Protected_PatroniBotSuperuserAndNonClient_NeverOffered(string type, string application, bool superuser, string expected)
    {
        // act
        var reason = Selection.Protected(Row(type: type, application: application, superuser: superuser));

        // assert
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void Protected_DiagnosticsAndReplicationRoles_NeverOffered()
    {
        // act
        var diagnostics = Selection.Protected(Row(user: "cerberus_monitor"));
        var replication = Selection.Protected(Row(user: "replicator", replication: true));
        var app = Selection.Protected(Row());

        // assert
        Assert.Equal("the diagnostics role's session", diagnostics);
        Assert.StartsWith("a REPLICATION role's session", replication, StringComparison.Ordinal);
        Assert.Null(app);
    }

    [Fact]
    public void Select_IdleRootsAndTooYoung_RootsFirstThenOldestIdleAndProtectedListed()
    {
        // arrange
        var young = Row(pid: 1, idle: 120);
        var idle = Row(pid: 2, idle: 900);
        var older = Row(pid: 3, idle: 1800);
        var root = Row(pid: 4, state: "active", idle: 1, victims: 3, wait: 45);
        var rootTooRecent = Row(pid: 5, state: "idle", idle: 1, victims: 1, wait: 10);
        var waitingHolder = Row(pid: 6, state: "active", idle: 1, victims: 1, wait: 60, waiting: true);
        var patroni = Row(pid: 7, application: "Patroni", idle: 900);

        // act
        var (offered, kept) = Selection.Select([young, idle, older, root, rootTooRecent, waitingHolder, patroni]);

        // assert
        Assert.Equal([4, 3, 2], offered.Select(o => o.Pid));
        Assert.Equal(7, Assert.Single(kept).Row.Pid);
        Assert.Equal("lock-tree root (active): blocks 3 session(s), the longest waiting 45 s", Selection.Why(root));
        Assert.Equal("idle in transaction for 15 min (transaction open 15 min 05 s)", Selection.Why(idle));
    }

    [Fact]
    public void StillQualifies_ReusedPidEndedOtherTransactionOrStillRoot_SkipsOnlyWhatChanged()
    {
        // arrange
        var approvedIdle = ApprovedSession.Of(Row(), Selection);
        var approvedRoot = ApprovedSession.Of(Row(state: "active", victims: 2, wait: 60, idle: 1), Selection);

        // act
        var same = SessionSelection.StillQualifies(approvedIdle, Row());
        var reused = SessionSelection.StillQualifies(approvedIdle, Row(start: 1_700_000_999_000_000));
        var gone = SessionSelection.StillQualifies(approvedIdle, null);
        var otherTransaction = SessionSelection.StillQualifies(approvedIdle, Row(xact: 1_700_000_200_000_000));
        var committed = SessionSelection.StillQualifies(approvedIdle, Row(state: "idle", xact: null));
        var stillRoot = SessionSelection.StillQualifies(approvedRoot, Row(state: "active", victims: 1, wait: 2, idle: 1));
        var rootReleased = SessionSelection.StillQualifies(approvedRoot, Row(state: "active", victims: 0, idle: 1));

        // assert
        Assert.Null(same);
        Assert.Equal("its pid now belongs to a new backend: not touched", reused);
        Assert.Equal("ended on its own", gone);
        Assert.Equal("idle in another transaction than the approved one", otherTransaction);
        Assert.Equal("no longer idle in that transaction (now idle)", committed);
        Assert.Null(stillRoot);
        Assert.Equal("no longer blocking anyone (now active)", rootReleased);
    }

    [Fact]
    public void ApprovedSession_StoredList_RoundTripsAndRejectsGarbage()
    {
        // arrange
        var sessions = new[] { ApprovedSession.Of(Row(pid: 11), Selection), ApprovedSession.Of(Row(pid: 12, xact: null, state: "idle", victims: 1, wait: 40), Selection) };

        // act
        var text = string.Join(",", sessions);
        var parsed = ApprovedSession.ParseList(text);

        // assert
        Assert.Equal("11:1700000000000001:1700000100000002:i,12:1700000000000001:-:r", text);
        Assert.Equal(sessions, parsed);
        Assert.Null(ApprovedSession.ParseList("11:x:-:i"));
        Assert.Null(ApprovedSession.ParseList(string.Empty));
    }

    [Theory]
    [InlineData(null, "(no query text)")]
    [InlineData("SELECT 1", "`SELECT 1`")]
    [InlineData("SELECT `x`,\n  *_y_*   FROM t", "`SELECT 'x', *_y_* FROM t`")]
    [InlineData("ALTER ROLE app PASSWORD 'hunter2'", "(query hidden: it mentions a password)")]
    public void QueryExcerpt_Of_CollapsesHidesAndStaysInItsCodeSpan(string? query, string expected)
    {
        // act
        var excerpt = QueryExcerpt.Of(query);

        // assert
        Assert.Equal(expected, excerpt);
    }

    [Fact]
    public void QueryExcerpt_LongQuery_FirstEightyCharactersOnly()
    {
        // arrange
        var query = "SELECT " + new string('a', 200) + " FROM secret_tail";

        // act
        var excerpt = QueryExcerpt.Of(query);

        // assert
        Assert.Equal("`" + query[..80] + "…`", excerpt);
        Assert.DoesNotContain("secret_tail", excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_LongNamesAndAmpersands_CardListsOnlyWhatFitsInOneSectionOnceEscaped()
    {
        // arrange
        var rows = Enumerable.Range(1, 10).Select(i => Row(pid: i, user: new string('u', 63), application: new string('a', 63), idle: 900 + i, query: new string('&', 200))).ToList();

        // act
        var (chosen, lines) = TerminateSessionsAction.Fit(rows, Selection);

        // assert
        Assert.InRange(chosen.Count, 1, 9);
        Assert.Equal(chosen.Count, lines.Split('\n').Length);
        Assert.True(Cerberus.ChatOps.Slack.BlockKit.SlackText.Escape(lines).Length <= TerminateSessionsAction.ListBudget);
    }

    [Fact]
    public void Fit_ShortRows_AtMostTenPerCard()
    {
        // arrange
        var rows = Enumerable.Range(1, 14).Select(i => Row(pid: i, idle: 900 + i)).ToList();

        // act
        var (chosen, _) = TerminateSessionsAction.Fit(rows, Selection);

        // assert
        Assert.Equal(SessionSelection.MaxPerCard, chosen.Count);
    }
}
