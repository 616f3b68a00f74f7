using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Slack.BlockKit;

/// <summary>
/// Collects blocks for one message and enforces the 50-block limit by replacing the overflow with a visible
/// "… N more blocks not shown" context block. Every message gets a fallback text.
/// </summary>
internal sealed class MessageBuilder
{
    private readonly List<JsonObject> _blocks = [];

    public MessageBuilder Add(JsonObject block)
    {
        ArgumentNullException.ThrowIfNull(block);
        _blocks.Add(block);
        return this;
    }

    public MessageBuilder AddRange(IEnumerable<JsonObject> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        foreach (var block in blocks)
        {
            Add(block);
        }

        return this;
    }

    public JsonArray BuildBlocks()
    {
        var blocks = _blocks;
        if (blocks.Count > BlockKitLimits.BlocksPerMessage)
        {
            var hidden = blocks.Count - (BlockKitLimits.BlocksPerMessage - 1);
            blocks = [.. blocks.Take(BlockKitLimits.BlocksPerMessage - 1), Blocks.Context($"… {hidden} more blocks not shown")];
        }

        // Deep copies: a block may be reused by the caller.
        return new JsonArray([.. blocks.Select(b => b.DeepClone())]);
    }

    public SlackMessage Build(string fallbackText) => new()
    {
        Text = SlackText.Truncate(string.IsNullOrWhiteSpace(fallbackText) ? "Cerberus" : fallbackText, BlockKitLimits.MessageText),
        Blocks = BuildBlocks(),
    };
}
