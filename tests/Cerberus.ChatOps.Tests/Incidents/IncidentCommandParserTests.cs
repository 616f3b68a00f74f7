using Cerberus.ChatOps.Incidents.Commands;

namespace Cerberus.ChatOps.Tests.Incidents;

public sealed class IncidentCommandParserTests
{
    [Theory]
    [InlineData("start API returns 500s", IncidentCommandKind.Start, "API returns 500s")]
    [InlineData("START", IncidentCommandKind.Start, "")]
    [InlineData("status", IncidentCommandKind.Status, "")]
    [InlineData("note  primary disk at 97%", IncidentCommandKind.Note, "primary disk at 97%")]
    [InlineData("resolve full disk from audit.logs", IncidentCommandKind.Resolve, "full disk from audit.logs")]
    [InlineData("propose failover pg2", IncidentCommandKind.Propose, "failover pg2")]
    [InlineData("cancel", IncidentCommandKind.Cancel, "")]
    [InlineData("list", IncidentCommandKind.List, "")]
    [InlineData("diagnose", IncidentCommandKind.Diagnose, "")]
    [InlineData("escalate", IncidentCommandKind.Escalate, "")]
    [InlineData("", IncidentCommandKind.Help, "")]
    public void Parse_KnownSubcommand_ReturnsKindAndArgument(string text, IncidentCommandKind kind, string argument)
    {
        // act
        var command = IncidentCommandParser.Parse(text);

        // assert
        Assert.Equal(kind, command.Kind);
        Assert.Equal(argument, command.Argument);
        Assert.Null(command.Problem);
    }

    [Theory]
    [InlineData("ic <@U024BE7LH>", "U024BE7LH")]
    [InlineData("ic <@W024BE7LH|bob>", "W024BE7LH")]
    public void Parse_CommanderMention_ExtractsUserId(string text, string userId)
    {
        // act
        var command = IncidentCommandParser.Parse(text);

        // assert
        Assert.Equal(IncidentCommandKind.Commander, command.Kind);
        Assert.Equal(userId, command.UserId);
    }

    [Theory]
    [InlineData("ic bob")]
    [InlineData("ic")]
    [InlineData("note")]
    [InlineData("propose")]
    [InlineData("frobnicate the db")]
    [InlineData("<script>")]
    public void Parse_MalformedOrUnknown_IsHelpWithAProblem(string text)
    {
        // act
        var command = IncidentCommandParser.Parse(text);

        // assert
        Assert.Equal(IncidentCommandKind.Help, command.Kind);
        Assert.False(string.IsNullOrWhiteSpace(command.Problem));
    }

    [Fact]
    public void Parse_ResolveForce_SetsForceAndKeepsRootCause()
    {
        // act
        var command = IncidentCommandParser.Parse("resolve --force WAL filled the disk");

        // assert
        Assert.True(command.Force);
        Assert.Equal("WAL filled the disk", command.Argument);
    }

    [Fact]
    public void Parse_HugeText_IsRefusedWithHelp()
    {
        // act
        var command = IncidentCommandParser.Parse("note " + new string('x', 5000));

        // assert
        Assert.Equal(IncidentCommandKind.Help, command.Kind);
        Assert.Contains("too long", command.Problem, StringComparison.Ordinal);
    }
}
