using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.Slack.BlockKit;

/// <summary>
/// Typed builders for the Block Kit we use. Every text is cut to Slack's limit with a visible marker instead of
/// failing. Texts are taken as already-formatted mrkdwn: escape user and database text with
/// <see cref="SlackText.Escape"/> before passing it in.
/// </summary>
internal static class Blocks
{
    public static JsonObject Header(string text) => new()
    {
        ["type"] = "header",
        ["text"] = PlainText(SlackText.Truncate(NonEmpty(text), BlockKitLimits.HeaderText)),
    };

    public static JsonObject Section(string mrkdwn, string? blockId = null)
    {
        var block = new JsonObject
        {
            ["type"] = "section",
            ["text"] = Mrkdwn(SlackText.Truncate(NonEmpty(mrkdwn), BlockKitLimits.SectionText)),
        };
        AddBlockId(block, blockId);
        return block;
    }

    /// <summary>A section of up to 10 two-column fields; more are cut with a marker in the last field.</summary>
    public static JsonObject Fields(IReadOnlyList<string> fields, string? text = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var list = fields.Select(f => SlackText.Truncate(NonEmpty(f), BlockKitLimits.FieldText)).ToList();
        if (list.Count > BlockKitLimits.SectionFields)
        {
            var hidden = list.Count - (BlockKitLimits.SectionFields - 1);
            list = [.. list.Take(BlockKitLimits.SectionFields - 1), $"… {hidden} more not shown"];
        }

        var block = new JsonObject { ["type"] = "section" };
        if (!string.IsNullOrWhiteSpace(text))
        {
            block["text"] = Mrkdwn(SlackText.Truncate(text, BlockKitLimits.SectionText));
        }

        block["fields"] = new JsonArray([.. list.Select(f => (JsonNode)Mrkdwn(f))]);
        return block;
    }

    public static JsonObject Context(params string[] mrkdwn)
    {
        ArgumentNullException.ThrowIfNull(mrkdwn);
        var elements = mrkdwn.Take(BlockKitLimits.ContextElements)
            .Select(t => (JsonNode)Mrkdwn(SlackText.Truncate(NonEmpty(t), BlockKitLimits.SectionText)));
        return new JsonObject { ["type"] = "context", ["elements"] = new JsonArray([.. elements]) };
    }

    public static JsonObject Divider() => new() { ["type"] = "divider" };

    public static JsonObject Actions(string blockId, IReadOnlyList<JsonObject> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var block = new JsonObject
        {
            ["type"] = "actions",
            ["elements"] = new JsonArray([.. elements.Take(BlockKitLimits.ActionsElements)]),
        };
        AddBlockId(block, blockId);
        return block;
    }

    public static JsonObject Button(string text, string actionId, string value, ButtonStyle style = ButtonStyle.Default, ConfirmDialog? confirm = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(actionId);
        if (actionId.Length > BlockKitLimits.ActionId || value.Length > BlockKitLimits.ButtonValue)
        {
            // Ids and values are ours, never cut silently: a cut id would route the click elsewhere.
            throw new ArgumentException($"action_id or value too long for Slack ({actionId.Length}/{value.Length}).", nameof(actionId));
        }

        var button = new JsonObject
        {
            ["type"] = "button",
            ["text"] = PlainText(SlackText.Truncate(NonEmpty(text), BlockKitLimits.ButtonText)),
            ["action_id"] = actionId,
            ["value"] = value,
        };
        if (style != ButtonStyle.Default)
        {
            button["style"] = style == ButtonStyle.Primary ? "primary" : "danger";
        }

        if (confirm is not null)
        {
            var dialog = new JsonObject
            {
                ["title"] = PlainText(SlackText.Truncate(NonEmpty(confirm.Title), BlockKitLimits.ConfirmTitle)),
                ["text"] = PlainText(SlackText.Truncate(NonEmpty(confirm.Text), BlockKitLimits.ConfirmText)),
                ["confirm"] = PlainText(SlackText.Truncate(NonEmpty(confirm.Confirm), BlockKitLimits.ConfirmButton)),
                ["deny"] = PlainText(SlackText.Truncate(NonEmpty(confirm.Deny), BlockKitLimits.ConfirmButton)),
            };
            if (confirm.Style != ButtonStyle.Default)
            {
                dialog["style"] = confirm.Style == ButtonStyle.Danger ? "danger" : "primary";
            }

            button["confirm"] = dialog;
        }

        return button;
    }

    public static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    public static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static string NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? "—" : text;

    private static void AddBlockId(JsonObject block, string? blockId)
    {
        if (!string.IsNullOrEmpty(blockId))
        {
            block["block_id"] = blockId.Length <= BlockKitLimits.BlockId ? blockId : blockId[..BlockKitLimits.BlockId];
        }
    }
}
