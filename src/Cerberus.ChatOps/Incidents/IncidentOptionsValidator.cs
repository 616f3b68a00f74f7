using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Incidents;

internal sealed class IncidentOptionsValidator : OptionsValidator<IncidentOptions>
{
    protected override void Check(IncidentOptions options, List<string> problems)
    {
        ConfigurationRules.Positive(problems, "Cerberus:Approval:Expiry", options.Approval.Expiry);
        ConfigurationRules.Positive(problems, "Cerberus:Approval:GroupCacheExpiry", options.Approval.GroupCacheExpiry);
        if (!Enum.IsDefined(options.Approval.SecondPersonFor))
        {
            problems.Add("Cerberus:Approval:SecondPersonFor: must be Risky, All or None.");
        }

        ConfigurationRules.Positive(problems, "Cerberus:RateLimit:Window", options.RateLimit.Window);
        ConfigurationRules.InRange(problems, "Cerberus:RateLimit:StartsPerUser", options.RateLimit.StartsPerUser, 1, 1000);
        ConfigurationRules.InRange(problems, "Cerberus:RateLimit:DiagnosesPerUser", options.RateLimit.DiagnosesPerUser, 1, 1000);
        ConfigurationRules.Positive(problems, "Cerberus:TimerInterval", options.TimerInterval);
        ConfigurationRules.Positive(problems, "Cerberus:ExecutionHeartbeat", options.ExecutionHeartbeat);
        if (options.LeaderWatchInterval < TimeSpan.Zero)
        {
            problems.Add($"Cerberus:LeaderWatchInterval: {options.LeaderWatchInterval} must not be negative (00:00:00 turns the leader watch off).");
        }

        for (var i = 0; i < options.Approvers.Count; i++)
        {
            var id = options.Approvers[i];
            if (!IsSlackUserId(id) && !IsCliUser(id))
            {
                problems.Add($"Cerberus:Approvers:{i}: '{id}' is not a Slack user id (like U012ABCDEF), a user group id (like S012ABCDEF) or a break-glass CLI user (like cli:alice).");
            }
        }

        for (var i = 0; i < options.RtoReminders.Count; i++)
        {
            ConfigurationRules.InRange(problems, $"Cerberus:RtoReminders:{i}", options.RtoReminders[i], 1, 99);
        }
    }

    /// <summary>U… and W… are users, S… user groups: upper-case letters and digits.</summary>
    private static bool IsSlackUserId(string? id) =>
        id is { Length: >= 3 } && id[0] is 'U' or 'W' or 'S' && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    /// <summary>The CLI's actors are <c>cli:&lt;name&gt;</c> (see <c>Cli/CliActor</c>).</summary>
    private static bool IsCliUser(string? id) =>
        id is not null && id.StartsWith("cli:", StringComparison.Ordinal) && id.Length > 4
        && id[4..].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
