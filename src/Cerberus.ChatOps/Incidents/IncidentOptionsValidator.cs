using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Incidents;

internal sealed class IncidentOptionsValidator : OptionsValidator<IncidentOptions>
{
    protected override void Check(IncidentOptions options, List<string> problems)
    {
        ConfigurationRules.Positive(problems, "Cerberus:Approval:Expiry", options.Approval.Expiry);
        ConfigurationRules.Positive(problems, "Cerberus:TimerInterval", options.TimerInterval);
        for (var i = 0; i < options.Approvers.Count; i++)
        {
            var id = options.Approvers[i];
            if (string.IsNullOrWhiteSpace(id) || !id.All(char.IsAsciiLetterOrDigit) || id.Length < 3)
            {
                problems.Add($"Cerberus:Approvers:{i}: '{id}' is not a Slack user id (like U012ABCDEF).");
            }
        }

        for (var i = 0; i < options.RtoReminders.Count; i++)
        {
            ConfigurationRules.InRange(problems, $"Cerberus:RtoReminders:{i}", options.RtoReminders[i], 1, 99);
        }
    }
}
