using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.Domain.Text;

/// <summary>
/// Removes secrets from text that leaves the bot (Slack messages, log lines, scanned PostgreSQL logs):
/// passwords in connection strings and URLs, Slack tokens, bearer and basic credentials, signing secrets.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "***";

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var result = SlackToken().Replace(text, Mask);
        result = KeyValueSecret().Replace(result, m => m.Groups["key"].Value + m.Groups["sep"].Value + Mask);
        result = UrlCredentials().Replace(result, m => m.Groups["scheme"].Value + m.Groups["user"].Value + ":" + Mask + "@");
        result = AuthorizationHeader().Replace(result, m => m.Groups["scheme"].Value + " " + Mask);
        return result;
    }

    [GeneratedRegex(@"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{6,}", RegexOptions.CultureInvariant)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"(?<key>\b(?:password|passwd|pwd|secret|token|signingsecret|bottoken|apptoken|api[_-]?key)\b)(?<sep>\s*[=:]\s*'?)[^\s;'"",&]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValueSecret();

    [GeneratedRegex(@"(?<scheme>\b[a-z][a-z0-9+.-]*://)(?<user>[^:/@\s]+):[^@/\s]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic))\s+[A-Za-z0-9._~+/=-]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationHeader();
}
