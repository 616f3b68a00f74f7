using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// One workspace: a request is accepted only when (1) <c>Slack:AppId</c>, if set, is its <c>api_app_id</c>; (2) the
/// workspace it was made in is the one auth.test reported (<see cref="Learn"/>) or listed in
/// <c>Slack:AllowedTeamIds</c>, or its Grid org is listed in <c>Slack:AllowedEnterpriseIds</c>; and (3) for an
/// interaction, the acting user's home (<c>user.team_id</c>) is that workspace or is itself allowed, so that a member
/// of another organisation in a Slack Connect channel cannot click the bot's buttons. Until auth.test has answered,
/// only the listed workspaces and orgs pass (fail closed).
/// </summary>
internal sealed class SlackWorkspaceGate(IOptionsMonitor<SlackOptions> options)
{
    public const string ForeignAnswer = "This app only serves its own workspace.";

    public const string UnknownAnswer = "This app only serves its own workspace, and it has not confirmed which one that is yet (Slack's auth.test has not answered). Try again in a minute.";

    private volatile string? _ownTeamId;

    /// <summary>The workspace auth.test reported, or null before it answered.</summary>
    public string? OwnTeamId => _ownTeamId;

    /// <summary>Called once auth.test has answered for the bot token.</summary>
    public void Learn(string teamId)
    {
        if (!string.IsNullOrWhiteSpace(teamId))
        {
            _ownTeamId = teamId;
        }
    }

    public WorkspaceVerdict Check(SlackOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var settings = options.CurrentValue;
        if (!string.IsNullOrWhiteSpace(settings.AppId) && !string.Equals(origin.AppId, settings.AppId, StringComparison.Ordinal))
        {
            return WorkspaceVerdict.OtherApp;
        }

        var own = _ownTeamId;
        bool Team(string? id) => !string.IsNullOrEmpty(id)
            && (string.Equals(id, own, StringComparison.Ordinal) || settings.AllowedTeamIds.Contains(id, StringComparer.Ordinal));
        bool Enterprise(string? id) => !string.IsNullOrEmpty(id) && settings.AllowedEnterpriseIds.Contains(id, StringComparer.Ordinal);

        var workspace = Team(origin.TeamId) || Enterprise(origin.EnterpriseId);
        var user = string.IsNullOrEmpty(origin.UserTeamId)
            || string.Equals(origin.UserTeamId, origin.TeamId, StringComparison.Ordinal)
            || Team(origin.UserTeamId)
            || Enterprise(origin.UserTeamId);
        if (workspace && user)
        {
            return WorkspaceVerdict.Allowed;
        }

        return own is null ? WorkspaceVerdict.OwnWorkspaceUnknown : WorkspaceVerdict.OtherWorkspace;
    }
}
