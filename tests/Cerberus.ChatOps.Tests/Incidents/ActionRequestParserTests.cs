using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Incidents.Commands;

namespace Cerberus.ChatOps.Tests.Incidents;

public sealed class ActionRequestParserTests
{
    [Theory]
    [InlineData("terminate-sessions", RemediationKind.TerminateSessions, null)]
    [InlineData("terminate-sessions 10", RemediationKind.TerminateSessions, "10")]
    [InlineData("restart-backend", RemediationKind.RestartBackend, null)]
    [InlineData("analyze", RemediationKind.Analyze, null)]
    public void Parse_NewConnectionAndPromotionActions_KindAndMinutes(string text, RemediationKind kind, string? minutes)
    {
        // act
        var (parsed, arguments, problem) = ActionRequestParser.Parse(text);

        // assert
        Assert.Null(problem);
        Assert.Equal(kind, parsed);
        Assert.Equal(minutes, arguments.GetValueOrDefault(ActionRequestParser.IdleMinutesArgument));
        Assert.Equal(text.Split(' ')[0], ActionRequestParser.CommandName(kind));
    }

    [Theory]
    [InlineData("fence", null)]
    [InlineData("fence pg1", "pg1")]
    [InlineData("fence-old-leader pg-0", "pg-0")]
    public void Parse_Fence_KindAndMember(string text, string? member)
    {
        // act
        var (parsed, arguments, problem) = ActionRequestParser.Parse(text);

        // assert
        Assert.Null(problem);
        Assert.Equal(RemediationKind.FenceOldLeader, parsed);
        Assert.Equal(member, arguments.GetValueOrDefault(ActionRequestParser.MemberArgument));
        Assert.Equal(Cerberus.ChatOps.Actions.Patroni.FenceOldLeaderAction.MemberArgument, ActionRequestParser.MemberArgument);
        Assert.Equal("fence", ActionRequestParser.CommandName(RemediationKind.FenceOldLeader));
    }

    [Fact]
    public void Parse_Unknown_ListsTheNewActions()
    {
        // act
        var (_, _, problem) = ActionRequestParser.Parse("kill-everything");

        // assert
        Assert.Contains("terminate-sessions", problem, StringComparison.Ordinal);
        Assert.Contains("restart-backend", problem, StringComparison.Ordinal);
        Assert.Contains("analyze", problem, StringComparison.Ordinal);
        Assert.Contains("fence", problem, StringComparison.Ordinal);
        Assert.Contains("reinit", problem, StringComparison.Ordinal);
        Assert.Contains("expand-volume", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reinit pg2", "pg2")]
    [InlineData("reinitialize pg-replica-0", "pg-replica-0")]
    [InlineData("reinit", null)]
    public void Parse_Reinit_KindAndMember(string text, string? member)
    {
        // act
        var (kind, arguments, problem) = ActionRequestParser.Parse(text);

        // assert
        Assert.Null(problem);
        Assert.Equal(RemediationKind.ReinitializeReplica, kind);
        Assert.Equal(member, arguments.GetValueOrDefault(ActionRequestParser.MemberArgument));
        Assert.Equal("reinit", ActionRequestParser.CommandName(RemediationKind.ReinitializeReplica));
    }

    [Theory]
    [InlineData("expand-volume", null, null)]
    [InlineData("expand", null, null)]
    [InlineData("expand-volume pgdata-pg-0", "pgdata-pg-0", null)]
    [InlineData("expand-volume 30Gi", null, "30Gi")]
    [InlineData("expand-volume pgdata-pg-0 30Gi", "pgdata-pg-0", "30Gi")]
    [InlineData("expand 500G pgdata-pg-1", "pgdata-pg-1", "500G")]
    [InlineData("expand-volume pgdata-pg-0 20x", "pgdata-pg-0", "20x")]
    public void Parse_ExpandVolume_AWordStartingWithADigitIsTheSizeTheOtherThePvc(string text, string? pvc, string? size)
    {
        // act
        var (parsed, arguments, problem) = ActionRequestParser.Parse(text);

        // assert
        Assert.Null(problem);
        Assert.Equal(RemediationKind.ExpandVolume, parsed);
        Assert.Equal(pvc, arguments.GetValueOrDefault(ActionRequestParser.PvcArgument));
        Assert.Equal(size, arguments.GetValueOrDefault(ActionRequestParser.SizeArgument));
        Assert.Equal("expand-volume", ActionRequestParser.CommandName(RemediationKind.ExpandVolume));
    }
}
