using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Slack;

internal sealed class SlackOptionsValidator : OptionsValidator<SlackOptions>
{
    protected override void Check(SlackOptions options, List<string> problems)
    {
        ConfigurationRules.AbsoluteHttpUrl(problems, "Slack:ApiBaseUrl", options.ApiBaseUrl, required: true);
        ConfigurationRules.AbsoluteHttpUrl(problems, "Slack:TestAllowedUrlBase", options.TestAllowedUrlBase);
        ConfigurationRules.InRange(problems, "Slack:MaxBodyBytes", options.MaxBodyBytes, 1024, 1024 * 1024);
        ConfigurationRules.AtLeast(problems, "Slack:InboxRetention", options.InboxRetention, TimeSpan.FromMinutes(10));
        ConfigurationRules.Positive(problems, "Slack:ChatInterval", options.ChatInterval);
        ConfigurationRules.Positive(problems, "Slack:RetryBaseDelay", options.RetryBaseDelay);
        ConfigurationRules.InRange(problems, "Slack:MaxRetryAttempts", options.MaxRetryAttempts, 0, 10);
        ConfigurationRules.Positive(problems, "Slack:MaxRetryAfter", options.MaxRetryAfter);
        ConfigurationRules.Positive(problems, "Slack:AttemptTimeout", options.AttemptTimeout);
        ConfigurationRules.Positive(problems, "Slack:OutboxClaimTimeout", options.OutboxClaimTimeout);
        ConfigurationRules.Positive(problems, "Slack:OutboxMaxBackoff", options.OutboxMaxBackoff);
        ConfigurationRules.Positive(problems, "Slack:OutboxPollInterval", options.OutboxPollInterval);
        ConfigurationRules.InRange(problems, "Slack:SocketModeConnections", options.SocketModeConnections, 1, 10);
        ConfigurationRules.Positive(problems, "Slack:SocketModeReconnectDelay", options.SocketModeReconnectDelay);
        ConfigurationRules.InRange(problems, "Slack:SocketModeMaxFrameBytes", options.SocketModeMaxFrameBytes, 64 * 1024, 64 * 1024 * 1024);
        SlackIds(problems, "Slack:AllowedTeamIds", options.AllowedTeamIds, 'T');
        SlackIds(problems, "Slack:AllowedEnterpriseIds", options.AllowedEnterpriseIds, 'E');
        if (!string.IsNullOrWhiteSpace(options.AppId) && !IsSlackId(options.AppId, 'A'))
        {
            problems.Add($"Slack:AppId: '{options.AppId}' is not a Slack app id (A followed by letters and digits).");
        }

        if (options.SocketModeStagger < TimeSpan.Zero)
        {
            problems.Add($"Slack:SocketModeStagger: '{options.SocketModeStagger}' must not be negative.");
        }

        if (!string.IsNullOrWhiteSpace(options.AppToken) && !options.AppToken.StartsWith("xapp-", StringComparison.Ordinal))
        {
            // Never echo the value: it is a secret.
            problems.Add("Slack:AppToken: is not an app-level token (it must start with xapp-).");
        }
    }

    private static void SlackIds(List<string> problems, string key, List<string> ids, char prefix)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (!IsSlackId(ids[i], prefix))
            {
                problems.Add($"{key}:{i}: '{ids[i]}' is not a Slack id ({prefix} followed by capital letters and digits).");
            }
        }
    }

    private static bool IsSlackId(string? id, char prefix) =>
        id is { Length: >= 2 and <= 32 } && id[0] == prefix && id.Skip(1).All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c));
}
