using Cerberus.ChatOps.Cli;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Cli;

public sealed class ReplySinkTests
{
    [Fact]
    public void Reply_TargetWithSink_GoesToTheSinkNotTheOutbox()
    {
        // arrange
        var sink = new CliReplySink();
        var batch = new OutboxBatch("INC-2026-0001", 2, EngineHarness.Channel, Some.T0);

        // act
        batch.Reply(new ReplyTarget(EngineHarness.Channel, "cli:alice", null, sink), IncidentMessages.Text("refused"));

        // assert
        Assert.Empty(batch.Items);
        Assert.Equal("refused", Assert.Single(sink.Messages).Text);
    }

    [Fact]
    public void Reply_SlackTarget_StillGoesToTheOutbox()
    {
        // arrange
        var batch = new OutboxBatch("INC-2026-0001", 2, EngineHarness.Channel, Some.T0);

        // act
        batch.Reply(EngineHarness.Reply(), IncidentMessages.Text("refused"));

        // assert
        Assert.Equal(OutboxKinds.ResponseUrl, Assert.Single(batch.Items).Kind);
    }
}
