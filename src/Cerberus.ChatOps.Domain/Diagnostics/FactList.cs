namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>
/// A fact whose value is a list (the log-signature codes, for one): written with one separator and read here
/// only, by the classifier and the report alike. Reading also accepts <c>;</c> and new lines, the separators of
/// hand-written facts (drills, tests), so that no two entries ever reach the report as one.
/// </summary>
public static class FactList
{
    public const char Separator = ',';

    private static readonly char[] Separators = [Separator, ';', '\n'];

    public static string Join(IEnumerable<string> entries) => string.Join(Separator, entries);

    public static IReadOnlyList<string> Split(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
