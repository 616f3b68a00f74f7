using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackWorkspaceGateTests
{
    [Fact]
    public void Check_OwnWorkspaceFromAuthTest_Allowed()
    {
        // arrange
        var sut = CreateSut();
        sut.Learn("T0OWN");

        // act
        var verdict = sut.Check(new SlackOrigin("A0APP", "T0OWN", null, "T0OWN"));

        // assert
        Assert.Equal(WorkspaceVerdict.Allowed, verdict);
    }

    [Fact]
    public void Check_OtherWorkspace_Refused()
    {
        // arrange
        var sut = CreateSut();
        sut.Learn("T0OWN");

        // act
        var verdict = sut.Check(new SlackOrigin("A0APP", "T0OTHER", null));

        // assert
        Assert.Equal(WorkspaceVerdict.OtherWorkspace, verdict);
    }

    [Fact]
    public void Check_BeforeAuthTestAnswered_FailsClosedUnlessListed()
    {
        // arrange
        var sut = CreateSut(o => o.AllowedTeamIds = ["T0LISTED"]);

        // act
        var unknown = sut.Check(new SlackOrigin("A0APP", "T0OWN", null));
        var listed = sut.Check(new SlackOrigin("A0APP", "T0LISTED", null));

        // assert
        Assert.Equal(WorkspaceVerdict.OwnWorkspaceUnknown, unknown);
        Assert.Equal(WorkspaceVerdict.Allowed, listed);
    }

    [Fact]
    public void Check_SlackConnectUserFromAnotherOrg_RefusedEvenInOurWorkspace()
    {
        // arrange
        var sut = CreateSut();
        sut.Learn("T0OWN");

        // act
        var verdict = sut.Check(new SlackOrigin("A0APP", "T0OWN", null, "T0PARTNER"));

        // assert
        Assert.Equal(WorkspaceVerdict.OtherWorkspace, verdict);
    }

    [Fact]
    public void Check_SlackConnectUserFromAListedWorkspace_Allowed()
    {
        // arrange
        var sut = CreateSut(o => o.AllowedTeamIds = ["T0PARTNER"]);
        sut.Learn("T0OWN");

        // act
        var verdict = sut.Check(new SlackOrigin("A0APP", "T0OWN", null, "T0PARTNER"));

        // assert
        Assert.Equal(WorkspaceVerdict.Allowed, verdict);
    }

    [Theory]
    [InlineData("T0SIBLING", "E0ORG", "E0ORG", true)]
    [InlineData("T0SIBLING", "E0ORG", "T0SIBLING", true)]
    [InlineData("T0SIBLING", "E0OTHER", "E0OTHER", false)]
    [InlineData("T0SIBLING", null, "T0SIBLING", false)]
    [InlineData("T0OWN", null, "E0ELSEWHERE", false)]
    public void Check_EnterpriseGrid_ListedOrgServesItsWorkspacesAndUsers(string team, string? enterprise, string userTeam, bool allowed)
    {
        // arrange
        var sut = CreateSut(o => o.AllowedEnterpriseIds = ["E0ORG"]);
        sut.Learn("T0OWN");

        // act
        var verdict = sut.Check(new SlackOrigin("A0APP", team, enterprise, userTeam));

        // assert
        Assert.Equal(allowed, verdict == WorkspaceVerdict.Allowed);
    }

    [Theory]
    [InlineData("A0APP", WorkspaceVerdict.Allowed)]
    [InlineData("A0OTHER", WorkspaceVerdict.OtherApp)]
    [InlineData(null, WorkspaceVerdict.OtherApp)]
    public void Check_AppIdSet_ApiAppIdMustMatch(string? appId, WorkspaceVerdict expected)
    {
        // arrange
        var sut = CreateSut(o => o.AppId = "A0APP");
        sut.Learn("T0OWN");

        // act
        var verdict = sut.Check(new SlackOrigin(appId, "T0OWN", null));

        // assert
        Assert.Equal(expected, verdict);
    }

    [Fact]
    public void Check_NoTeamAtAll_Refused()
    {
        // arrange
        var sut = CreateSut();
        sut.Learn("T0OWN");

        // act
        var verdict = sut.Check(new SlackOrigin("A0APP", null, null));

        // assert
        Assert.Equal(WorkspaceVerdict.OtherWorkspace, verdict);
    }

    private static SlackWorkspaceGate CreateSut(Action<SlackOptions>? configure = null)
    {
        var options = new SlackOptions();
        configure?.Invoke(options);
        return new SlackWorkspaceGate(new StaticOptionsMonitor<SlackOptions>(options));
    }
}
