using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Paging;

/// <summary>A routing key that is set must look like one (32 letters and digits); the events URL must be http(s).</summary>
internal sealed class PagerDutyOptionsValidator : OptionsValidator<PagerDutyOptions>
{
    protected override void Check(PagerDutyOptions options, List<string> problems)
    {
        if (!Uri.TryCreate(options.EventsUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            problems.Add($"{PagerDutyOptions.Section}:EventsUrl: must be an absolute http(s) URL (default {PagerDutyOptions.DefaultEventsUrl}).");
        }

        if (options.RoutingKey is { Length: > 0 } key && (key.Length != 32 || !key.All(char.IsAsciiLetterOrDigit)))
        {
            problems.Add($"{PagerDutyOptions.Section}:RoutingKey: must be the 32-character integration key of an Events API v2 integration.");
        }

        if (string.IsNullOrWhiteSpace(options.Source))
        {
            problems.Add($"{PagerDutyOptions.Section}:Source: must not be empty.");
        }
    }
}
