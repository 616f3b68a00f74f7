namespace Cerberus.ChatOps.Slack.BlockKit;

/// <summary>Slack's text rules: escape exactly &amp;, &lt; and &gt;; truncate with a visible marker, never fail.</summary>
internal static class SlackText
{
    public const string TruncationMarker = "… (truncated)";

    /// <summary>Escapes text that comes from a user or the database before it goes into mrkdwn or plain_text.</summary>
    public static string Escape(string? text) =>
        string.IsNullOrEmpty(text)
            ? string.Empty
            : text.Replace("&", "&amp;", StringComparison.Ordinal)
                .Replace("<", "&lt;", StringComparison.Ordinal)
                .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="max"/> characters, ending with a visible marker.</summary>
    public static string Truncate(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        var marker = max > TruncationMarker.Length * 2 ? TruncationMarker : "…";
        var cut = Math.Max(0, max - marker.Length);

        // Never split a surrogate pair or an escape sequence like &amp;.
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        var amp = text.LastIndexOf('&', Math.Max(0, cut - 1));
        if (amp >= 0 && amp >= cut - 5 && text.IndexOf(';', amp) >= cut)
        {
            cut = amp;
        }

        return text[..cut] + marker;
    }
}
