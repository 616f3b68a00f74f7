using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>A validated <c>schema.table</c> (or a column) name, quoted for SQL. Only plain identifiers are accepted.</summary>
internal sealed partial record QualifiedName(string Schema, string Name)
{
    /// <summary>The quoted form for SQL text: "audit"."logs".</summary>
    public string Quoted => Quote(Schema) + "." + Quote(Name);

    /// <summary>The unquoted text for <c>to_regclass</c> and messages: audit.logs.</summary>
    public string Text => Schema + "." + Name;

    public static bool TryParse(string? text, out QualifiedName? name)
    {
        name = null;
        var parts = (text ?? string.Empty).Split('.');
        if (parts.Length != 2 || !IsIdentifier(parts[0]) || !IsIdentifier(parts[1]))
        {
            return false;
        }

        name = new QualifiedName(parts[0], parts[1]);
        return true;
    }

    /// <summary>A plain lower-case PostgreSQL identifier of at most 63 bytes.</summary>
    public static bool IsIdentifier(string? text) => !string.IsNullOrEmpty(text) && text.Length <= 63 && Identifier().IsMatch(text);

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[a-z_][a-z0-9_$]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
