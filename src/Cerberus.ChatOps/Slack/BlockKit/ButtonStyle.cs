namespace Cerberus.ChatOps.Slack.BlockKit;

internal enum ButtonStyle
{
    Default,
    Primary,
    Danger,
}
