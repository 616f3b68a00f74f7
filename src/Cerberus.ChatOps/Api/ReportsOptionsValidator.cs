using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Api;

/// <summary>A token that is set must be long and free of spaces; an unset one is allowed (the API stays closed).</summary>
internal sealed class ReportsOptionsValidator : OptionsValidator<ReportsOptions>
{
    protected override void Check(ReportsOptions options, List<string> problems)
    {
        var token = options.BearerToken;
        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        if (token.Length < ReportsOptions.MinimumTokenLength)
        {
            problems.Add($"{ReportsOptions.Section}:BearerToken: must be at least {ReportsOptions.MinimumTokenLength} characters (e.g. `openssl rand -hex 32`).");
        }

        if (token.Any(char.IsWhiteSpace))
        {
            problems.Add($"{ReportsOptions.Section}:BearerToken: must not contain spaces or line breaks.");
        }
    }
}
