using Cerberus.ChatOps.ConsoleMode;
using Cerberus.ChatOps.Incidents;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Access;

public sealed class ApproverRosterTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task PolicyAsync_UserGroup_ExpandsItsMembersAndCachesThem()
    {
        // arrange
        var (roster, slack, time) = CreateSut(["U0ALICE", "S0DBAS"]);
        slack.UserGroups["S0DBAS"] = ["U0BOB", "U0CAROL"];

        // act
        var first = await roster.PolicyAsync(None);
        var second = await roster.PolicyAsync(None);
        time.Advance(TimeSpan.FromMinutes(3));
        slack.UserGroups["S0DBAS"] = ["U0CAROL"];
        var refreshed = await roster.PolicyAsync(None);

        // assert
        Assert.Equal(["U0ALICE", "U0BOB", "U0CAROL"], first.Roster.Order(StringComparer.Ordinal));
        Assert.Empty(first.RosterProblems);
        Assert.Equal(first.Roster.Order(StringComparer.Ordinal), second.Roster.Order(StringComparer.Ordinal));
        Assert.Equal(2, slack.UserGroupCalls);
        Assert.DoesNotContain("U0BOB", refreshed.Roster);
    }

    [Fact]
    public async Task PolicyAsync_GroupSlackCannotResolve_FailsClosedAndSaysWhich()
    {
        // arrange
        var (roster, slack, time) = CreateSut(["S0DBAS", "U0ALICE"]);
        slack.UserGroups["S0DBAS"] = ["U0BOB"];
        await roster.PolicyAsync(None);
        slack.UserGroups.Clear();
        time.Advance(TimeSpan.FromMinutes(3));

        // act
        var policy = await roster.PolicyAsync(None);

        // assert
        Assert.Equal(["U0ALICE"], policy.Roster);
        var problem = Assert.Single(policy.RosterProblems);
        Assert.Contains("S0DBAS", problem, StringComparison.Ordinal);
        Assert.Contains("no_such_subteam", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyAsync_LocalConsole_PutsItsUserOnThatRosterOnly()
    {
        // arrange
        var options = new StaticOptionsMonitor<IncidentOptions>(new IncidentOptions());
        using var withConsole = new ApproverRoster(options, TimeProvider.System, NullLogger<ApproverRoster>.Instance, console: new LocalConsole());
        using var withoutConsole = new ApproverRoster(options, TimeProvider.System, NullLogger<ApproverRoster>.Instance);

        // act
        var console = await withConsole.PolicyAsync(None);
        var slack = await withoutConsole.PolicyAsync(None);

        // assert
        Assert.Equal([LocalConsole.UserId], console.Roster);
        Assert.Empty(slack.Roster);
    }

    private static (ApproverRoster Roster, RecordingSlackApi Slack, FakeTimeProvider Time) CreateSut(List<string> approvers)
    {
        var slack = new RecordingSlackApi();
        var time = new FakeTimeProvider(Some.T0);
        var options = new StaticOptionsMonitor<IncidentOptions>(new IncidentOptions { Approvers = approvers });
        return (new ApproverRoster(options, time, NullLogger<ApproverRoster>.Instance, slack), slack, time);
    }
}
