namespace Cerberus.ChatOps.Slack.BlockKit;

/// <summary>A button's confirm dialog; all four texts are sent, as Slack's reference requires.</summary>
internal sealed record ConfirmDialog(string Title, string Text, string Confirm, string Deny, ButtonStyle Style = ButtonStyle.Primary);
