namespace Cerberus.ChatOps.Slack.BlockKit;

public enum ButtonStyle
{
    Default,
    Primary,
    Danger,
}
