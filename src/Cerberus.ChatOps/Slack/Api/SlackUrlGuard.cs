namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// SSRF guard for URLs that come inside payloads (response_url) or responses (upload_url): https on slack.com,
/// *.slack.com, slack-gov.com or *.slack-gov.com only; tests may allow one configured base.
/// </summary>
internal static class SlackUrlGuard
{
    public static bool IsAllowed(string? url, string? testAllowedBase)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return false;
        }

        if (uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort && IsSlackHost(uri.IdnHost))
        {
            return true;
        }

        return Uri.TryCreate(testAllowedBase, UriKind.Absolute, out var allowed)
            && Uri.Compare(uri, allowed, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            && uri.AbsolutePath.StartsWith(allowed.AbsolutePath, StringComparison.Ordinal);
    }

    private static bool IsSlackHost(string host) =>
        host.Equals("slack.com", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".slack.com", StringComparison.OrdinalIgnoreCase)
        || host.Equals("slack-gov.com", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".slack-gov.com", StringComparison.OrdinalIgnoreCase);
}
