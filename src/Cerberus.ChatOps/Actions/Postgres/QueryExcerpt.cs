using System.Text;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The first <see cref="MaxLength"/> characters of a session's query, safe to show on a card: whitespace collapsed,
/// secrets redacted (a query that mentions a password is hidden entirely: <c>ALTER ROLE … PASSWORD '…'</c> is not a
/// key=value pair the redactor knows), cut before any escaping, backticks replaced so the text stays inside its code
/// span (where Slack reads no <c>*</c>, <c>_</c> or <c>~</c>). The rendering escapes &amp;, &lt; and &gt;.
/// </summary>
internal static partial class QueryExcerpt
{
    public const int MaxLength = 80;

    public static string Of(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return "(no query text)";
        }

        if (Password().IsMatch(query))
        {
            return "(query hidden: it mentions a password)";
        }

        var collapsed = Whitespace().Replace(SecretRedactor.Redact(query), " ").Trim();
        var cut = collapsed.Length <= MaxLength ? collapsed : Cut(collapsed);
        return "`" + cut.Replace('`', '\'') + "`";
    }

    private static string Cut(string text)
    {
        var end = MaxLength;
        if (char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return new StringBuilder(text, 0, end, end + 1).Append('…').ToString();
    }

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\bpassword\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Password();
}
