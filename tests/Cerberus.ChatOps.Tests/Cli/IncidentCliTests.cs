using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Cli;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Cli;

public sealed class IncidentCliTests
{
    private const string Alice = "cli:alice";

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Start_WithChannel_DeclaresAsCliUserAndPrintsTheDiagnosis()
    {
        // arrange
        await using var h = new EngineHarness();
        var (cli, output) = Cli(h, "cli:bob");

        // act
        var code = await cli.RunAsync(Args("start", "API", "500s", "--channel", EngineHarness.Channel), None);

        // assert
        Assert.Equal(IncidentCli.Ok, code);
        var incident = await h.IncidentAsync("INC-2026-0001");
        Assert.Equal("cli:bob", incident.DeclaredBy);
        Assert.Equal(IncidentState.AwaitingDecision, incident.State);
        var text = output.ToString();
        Assert.Contains("INC-2026-0001 — API 500s", text, StringComparison.Ordinal);
        Assert.Contains("Findings point to PrimaryUnresponsive.", text, StringComparison.Ordinal);
        Assert.Contains("• connectivity: CRIT — connect timed out after 5 s", text, StringComparison.Ordinal);
        Assert.Contains(await h.OutboxAsync(), o => o.Item.Kind == OutboxKinds.Post);
    }

    [Fact]
    public async Task Start_WithoutChannel_IsAUsageError()
    {
        // arrange
        await using var h = new EngineHarness();
        var (cli, output) = Cli(h, Alice);

        // act
        var code = await cli.RunAsync(Args("start", "API 500s"), None);

        // assert
        Assert.Equal(IncidentCli.Usage, code);
        Assert.Contains("--channel", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(await h.Store.ListAsync(false, 10, None));
    }

    [Fact]
    public async Task Propose_OnTheOnlyOpenIncident_PrintsTheApprovalCardAndLedgerId()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Options.Approvers.Add("cli:bob");
        var id = await StartFromSlackAsync(h);
        h.Action().Risk = "writes after the last replicated LSN are lost";
        var (cli, output) = Cli(h, "cli:bob");

        // act
        var code = await cli.RunAsync(Args("propose", "failover"), None);

        // assert
        Assert.Equal(IncidentCli.Ok, code);
        var action = Assert.Single((await h.IncidentAsync(id)).Actions);
        Assert.Equal(ActionStatus.Proposed, action.Status);
        Assert.Equal("cli:bob", action.ProposedBy);
        var text = output.ToString();
        Assert.Contains(action.Id, text, StringComparison.Ordinal);
        Assert.Contains("will run: " + action.Description, text, StringComparison.Ordinal);
        Assert.Contains("based on: " + action.BasedOn, text, StringComparison.Ordinal);
        Assert.Contains("risk:     writes after the last replicated LSN are lost", text, StringComparison.Ordinal);
        Assert.Contains($"incident approve {id} {action.Id} --accept-risk", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_ByNonApprover_IsRefusedAndNothingRuns()
    {
        // arrange
        await using var h = new EngineHarness();
        var (id, actionId) = await ProposedByCliAsync(h, "cli:bob");
        var (cli, output) = Cli(h, "cli:mallory");

        // act
        var code = await cli.RunAsync(Args("approve", id, actionId), None);

        // assert
        Assert.Equal(IncidentCli.Refused, code);
        Assert.Equal(ActionStatus.Proposed, (await h.IncidentAsync(id)).FindAction(actionId)!.Status);
        Assert.Equal(0, h.Action().Executions);
        Assert.StartsWith("» ", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await h.OutboxAsync(), o => o.Item.Kind is OutboxKinds.Ephemeral or OutboxKinds.ResponseUrl);
    }

    [Fact]
    public async Task Approve_ByListedCliUser_RunsOnceAndIsInTheTimeline()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Options.Approvers.Add(Alice);
        var (id, actionId) = await ProposedByCliAsync(h, "cli:bob");
        var (cli, output) = Cli(h, Alice);

        // act
        var code = await cli.RunAsync(Args("approve", id, actionId), None);

        // assert
        Assert.Equal(IncidentCli.Ok, code);
        var incident = await h.IncidentAsync(id);
        var action = incident.FindAction(actionId)!;
        Assert.Equal(ActionStatus.Succeeded, action.Status);
        Assert.Equal(Alice, action.DecidedBy);
        Assert.Equal(1, h.Action().Executions);
        Assert.Equal(IncidentState.Mitigated, incident.State);
        Assert.Contains(incident.Timeline, e => e.Actor == Alice && e.ActionId == actionId);
        Assert.Contains("decided by cli:alice", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_OwnProposalUnderTwoPersonRule_IsRefused()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Options.Approvers.Add(Alice);
        h.Options.Approval.SecondPersonFor = SecondPersonRule.All;
        var (id, actionId) = await ProposedByCliAsync(h, Alice);
        var (cli, _) = Cli(h, Alice);

        // act
        var code = await cli.RunAsync(Args("approve", id, actionId), None);

        // assert
        Assert.Equal(IncidentCli.Refused, code);
        Assert.Equal(0, h.Action().Executions);
    }

    [Fact]
    public async Task Resolve_WithRootCause_ResolvesAndWritesTheDocument()
    {
        // arrange
        await using var h = new EngineHarness();
        h.Options.Approvers.Add(Alice);
        var id = await StartFromSlackAsync(h);
        var (cli, _) = Cli(h, Alice);
        var (reportCli, report) = Cli(h, Alice);

        // act
        var code = await cli.RunAsync(Args("resolve", "--root-cause", "leader disk failed"), None);
        var reportCode = await reportCli.RunAsync(Args("report", id), None);

        // assert
        Assert.Equal(IncidentCli.Ok, code);
        Assert.Equal(IncidentCli.Ok, reportCode);
        var incident = await h.IncidentAsync(id);
        Assert.Equal(IncidentState.Resolved, incident.State);
        Assert.Equal("leader disk failed", incident.RootCause);
        Assert.NotNull(incident.ReportMarkdown);
        Assert.Contains(id, report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NoIncident_IsRefused()
    {
        // arrange
        await using var h = new EngineHarness();
        var (cli, output) = Cli(h, Alice);

        // act
        var code = await cli.RunAsync(Args("status"), None);

        // assert
        Assert.Equal(IncidentCli.Refused, code);
        Assert.Contains("no open incident", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice", "cli:alice")]
    [InlineData("cli:Bob", "cli:bob")]
    [InlineData("we ird;name", "cli:weirdname")]
    [InlineData(";;", "cli:unknown")]
    public void Of_Name_IsPrefixedAndCleaned(string name, string expected)
    {
        // arrange
        // act
        var actor = CliActor.Of(name);

        // assert
        Assert.Equal(expected, actor);
    }

    [Fact]
    public void Parse_WordsOptionsAndFlags_AreKeptApart()
    {
        // arrange
        // act
        var args = Args("resolve", "--force", "--root-cause", "disk full", "INC-2026-0002");

        // assert
        Assert.Equal("resolve", args.Verb);
        Assert.True(args.Flag("force"));
        Assert.Equal("disk full", args.Option("root-cause"));
        Assert.Equal(["INC-2026-0002"], args.Words);
    }

    private static CliArguments Args(params string[] args) => CliArguments.Parse(args);

    private static (IncidentCli Cli, StringWriter Output) Cli(EngineHarness h, string actor, string? channel = null)
    {
        var output = new StringWriter();
        return (new IncidentCli(h.Engine, h.Store, h.Work, h.Time, actor, channel, TimeSpan.FromMinutes(1), output), output);
    }

    private static async Task<string> StartFromSlackAsync(EngineHarness h)
    {
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), None);
        await h.IdleAsync();
        return id!;
    }

    /// <summary>An incident declared from Slack and a failover proposed from the CLI by <paramref name="proposer"/>, on the roster.</summary>
    private static async Task<(string Id, string ActionId)> ProposedByCliAsync(EngineHarness h, string proposer)
    {
        if (!h.Options.Approvers.Contains(proposer))
        {
            h.Options.Approvers.Add(proposer);
        }

        var id = await StartFromSlackAsync(h);
        var (cli, _) = Cli(h, proposer);
        Assert.Equal(IncidentCli.Ok, await cli.RunAsync(Args("propose", "failover", "--incident", id), None));
        return (id, (await h.IncidentAsync(id)).Actions.Single().Id);
    }
}
