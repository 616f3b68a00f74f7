namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// Where a request says it comes from: ids only, never user content (safe to log).
/// <see cref="TeamId"/> is the workspace the request was made in (<c>team_id</c>, or <c>team.id</c> of an
/// interaction), <see cref="EnterpriseId"/> its Enterprise Grid org (<c>enterprise_id</c>, <c>enterprise.id</c>,
/// <c>team.enterprise_id</c>), <see cref="UserTeamId"/> the acting user's home (<c>user.team_id</c> of an interaction:
/// another org's in a Slack Connect channel, the org's <c>E…</c> id under Grid).
/// </summary>
internal sealed record SlackOrigin(string? AppId, string? TeamId, string? EnterpriseId, string? UserTeamId = null);
