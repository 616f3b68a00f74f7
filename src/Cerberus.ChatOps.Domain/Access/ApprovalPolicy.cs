using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Access;

/// <summary>
/// Who may do what to an incident, and how long a proposal stays valid: the approver roster (resolved user ids),
/// the second-person rule and the card expiry. Deny by default: with an empty roster no real action can be approved.
/// </summary>
/// <param name="Roster">Slack user ids (and <c>cli:&lt;name&gt;</c> actors) on the roster, groups already expanded.</param>
/// <param name="SecondPersonFor">Which approvals need someone other than the proposer.</param>
/// <param name="Expiry">How long an approval card stays valid (default 15 minutes).</param>
/// <param name="RosterProblems">What could not be resolved (a user group Slack did not answer for), shown on every card.</param>
public sealed record ApprovalPolicy(
    IReadOnlySet<string> Roster,
    SecondPersonRule SecondPersonFor,
    TimeSpan Expiry,
    IReadOnlyList<string> RosterProblems)
{
    /// <summary>The configuration key that holds the roster, named wherever the roster is empty.</summary>
    public const string RosterSetting = "Cerberus__Approvers__0";

    public ApprovalPolicy(IReadOnlySet<string> roster, SecondPersonRule secondPersonFor, TimeSpan expiry)
        : this(roster, secondPersonFor, expiry, [])
    {
    }

    /// <summary>An empty roster: nobody may approve a real action (drills still work).</summary>
    public static ApprovalPolicy Default { get; } =
        new(new HashSet<string>(StringComparer.Ordinal), SecondPersonRule.Risky, TimeSpan.FromMinutes(15));

    public bool IsOnRoster(string actor) => Roster.Contains(actor);

    /// <summary>
    /// Whether <paramref name="actor"/> may perform <paramref name="operation"/> on an incident commanded by
    /// <paramref name="commander"/>. The bot itself may (its re-proposals and timers); in a drill anyone may.
    /// </summary>
    public bool May(IncidentOperation operation, string actor, string commander, bool drill)
    {
        if (string.Equals(actor, Incident.BotActor, StringComparison.Ordinal))
        {
            return operation != IncidentOperation.Approve;
        }

        return drill || AccessRules.For(operation) switch
        {
            AccessRole.Anyone => true,
            AccessRole.CommanderOrRoster => string.Equals(actor, commander, StringComparison.Ordinal) || IsOnRoster(actor),
            _ => IsOnRoster(actor),
        };
    }

    /// <summary>Whether approving <paramref name="action"/> needs someone other than its proposer.</summary>
    public bool NeedsSecondPerson(ActionRecord action, bool drill)
    {
        ArgumentNullException.ThrowIfNull(action);
        return !drill && SecondPersonFor switch
        {
            SecondPersonRule.All => true,
            SecondPersonRule.None => false,
            _ => ActionRisk.Assess(action).IsRisky,
        };
    }
}
