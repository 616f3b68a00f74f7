namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>What <see cref="SlackWorkspaceGate"/> says of a request's <see cref="SlackOrigin"/>.</summary>
/// <remarks>Public: the test projects take it as a theory parameter.</remarks>
public enum WorkspaceVerdict
{
    /// <summary>This app, from its own workspace (auth.test) or a listed workspace or org.</summary>
    Allowed,

    /// <summary><c>Slack:AppId</c> is set and <c>api_app_id</c> is missing or another app's.</summary>
    OtherApp,

    /// <summary>From a workspace or org that is neither this app's own nor listed (or by a user from one).</summary>
    OtherWorkspace,

    /// <summary>Not listed, and auth.test has not answered yet, so this app cannot tell its own workspace: fail closed.</summary>
    OwnWorkspaceUnknown,
}
