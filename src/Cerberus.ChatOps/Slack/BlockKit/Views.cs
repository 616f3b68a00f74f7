using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.Slack.BlockKit;

/// <summary>Modal views for views.open, with Slack's view limits (title/submit/close 24, 100 blocks, metadata 3000).</summary>
public static class Views
{
    public static JsonObject Modal(string title, string callbackId, IReadOnlyList<JsonObject> blocks, string? submit = "Submit", string close = "Cancel", string privateMetadata = "")
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentException.ThrowIfNullOrEmpty(callbackId);
        if (callbackId.Length > BlockKitLimits.CallbackId || privateMetadata.Length > BlockKitLimits.PrivateMetadata)
        {
            // Ours and routed on: never cut silently.
            throw new ArgumentException($"callback_id or private_metadata too long for Slack ({callbackId.Length}/{privateMetadata.Length}).", nameof(callbackId));
        }

        var list = blocks.Count <= BlockKitLimits.BlocksPerView
            ? blocks
            : [.. blocks.Take(BlockKitLimits.BlocksPerView - 1), Blocks.Context($"… {blocks.Count - (BlockKitLimits.BlocksPerView - 1)} more blocks not shown")];
        var view = new JsonObject
        {
            ["type"] = "modal",
            ["callback_id"] = callbackId,
            ["title"] = Blocks.PlainText(SlackText.Truncate(string.IsNullOrWhiteSpace(title) ? "Cerberus" : title, BlockKitLimits.ViewTitle)),
            ["close"] = Blocks.PlainText(SlackText.Truncate(close, BlockKitLimits.ViewButton)),
            ["private_metadata"] = privateMetadata,
            ["blocks"] = new JsonArray([.. list.Select(b => b.DeepClone())]),
        };
        if (!string.IsNullOrWhiteSpace(submit))
        {
            view["submit"] = Blocks.PlainText(SlackText.Truncate(submit, BlockKitLimits.ViewButton));
        }

        return view;
    }
}
