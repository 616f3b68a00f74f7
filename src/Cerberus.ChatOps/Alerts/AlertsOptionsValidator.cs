using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Alerts;

/// <summary>A token that is set must be long and free of spaces, and needs a channel; unset, the route stays closed.</summary>
internal sealed class AlertsOptionsValidator : OptionsValidator<AlertsOptions>
{
    protected override void Check(AlertsOptions options, List<string> problems)
    {
        if (options.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            problems.Add($"{AlertsOptions.Section}:MaxBodyBytes: must be between 1024 and 16777216.");
        }

        var token = options.BearerToken;
        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        if (token.Length < AlertsOptions.MinimumTokenLength)
        {
            problems.Add($"{AlertsOptions.Section}:BearerToken: must be at least {AlertsOptions.MinimumTokenLength} characters (e.g. `openssl rand -hex 32`).");
        }

        if (token.Any(char.IsWhiteSpace))
        {
            problems.Add($"{AlertsOptions.Section}:BearerToken: must not contain spaces or line breaks.");
        }

        if (string.IsNullOrWhiteSpace(options.Channel) || !options.Channel.All(char.IsAsciiLetterOrDigit))
        {
            problems.Add($"{AlertsOptions.Section}:Channel: the Slack channel ID incidents from alerts are declared in (e.g. C0123ABCD), required with a bearer token.");
        }
    }
}
