using System.Text;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.SystemTests.Slack;

/// <summary>Our Block Kit against Slack's own TypeScript types (<c>@slack/types</c>, run by tsc from tests/js).</summary>
public sealed class BlockKitTypeCheckTests
{
    [Fact]
    public async Task TypeCheck_RenderedMessages_AcceptedBySlackTypes()
    {
        // arrange
        var source = new StringBuilder("import type { KnownBlock } from '@slack/types';\n");
        var i = 0;
        foreach (var message in SampleMessages.All())
        {
            source.Append("export const message").Append(i++).Append(": { text: string; blocks: KnownBlock[] } = ")
                .Append(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks!.DeepClone() }.ToJsonString()).Append(";\n");
        }

        // act
        var (exitCode, output) = await NodeTools.TypeCheckAsync(source.ToString());

        // assert
        Assert.True(exitCode == 0, "tsc rejected our Block Kit:\n" + output);
    }

    [Fact]
    public async Task TypeCheck_MisspelledOrMistypedBlock_RejectedBySlackTypes()
    {
        // arrange: the control that proves the check above can fail
        const string Source = """
            import type { KnownBlock } from '@slack/types';
            export const wrong: KnownBlock[] = [{ "type": "header", "text": { "type": "mrkdwn", "text": "x" } }];
            """;

        // act
        var (exitCode, output) = await NodeTools.TypeCheckAsync(Source);

        // assert
        Assert.NotEqual(0, exitCode);
        Assert.Contains("plain_text", output, StringComparison.Ordinal);
    }
}
