namespace Cerberus.ChatOps.Slack.BlockKit;

/// <summary>Slack's documented Block Kit limits (docs/slack.md, "Test doubles and cross-checks").</summary>
internal static class BlockKitLimits
{
    public const int BlocksPerMessage = 50;
    public const int SectionText = 3000;
    public const int SectionFields = 10;
    public const int FieldText = 2000;
    public const int HeaderText = 150;
    public const int ContextElements = 10;
    public const int ActionsElements = 25;
    public const int ButtonText = 75;
    public const int ActionId = 255;
    public const int BlockId = 255;
    public const int ButtonValue = 2000;
    public const int ConfirmTitle = 100;
    public const int ConfirmText = 300;
    public const int ConfirmButton = 30;
    public const int MessageText = 40000;
}
