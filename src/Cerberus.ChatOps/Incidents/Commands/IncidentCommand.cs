namespace Cerberus.ChatOps.Incidents.Commands;

/// <summary>A parsed <c>/dbincident</c> command.</summary>
/// <param name="Kind">The subcommand.</param>
/// <param name="Argument">Free text after it (summary, note, root cause, scenario, action name...).</param>
/// <param name="UserId">For <c>ic @user</c>: the mentioned user's id.</param>
/// <param name="Force">For <c>resolve --force</c>.</param>
/// <param name="Problem">Set when the text could not be understood: the help is shown with this sentence first.</param>
internal sealed record IncidentCommand(
    IncidentCommandKind Kind,
    string Argument = "",
    string? UserId = null,
    bool Force = false,
    string? Problem = null);
