using System.Globalization;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// One session of the set an approval was given for, as stored in the record's parameters
/// (<c>pid:backend_start:xact_start:flags</c>; flags <c>i</c> = idle in transaction too long, <c>r</c> = lock-tree root).
/// </summary>
internal sealed record ApprovedSession(int Pid, long BackendStart, long? XactStart, bool Idle, bool Root)
{
    public string Identity => SessionRow.Identify(Pid, BackendStart);

    public static ApprovedSession Of(SessionRow row, SessionSelection selection)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(selection);
        return new(row.Pid, row.BackendStart, row.XactStart, selection.IdleTooLong(row), selection.BlocksTooLong(row));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Pid}:{BackendStart}:{XactStart?.ToString(CultureInfo.InvariantCulture) ?? "-"}:{(Idle ? "i" : string.Empty)}{(Root ? "r" : string.Empty)}");

    /// <summary>Parses the stored list; an entry that does not parse makes the whole list null (nothing runs on a set nobody can read).</summary>
    public static IReadOnlyList<ApprovedSession>? ParseList(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var list = new List<ApprovedSession>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length != 4
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var start))
            {
                return null;
            }

            long? xact = null;
            if (parts[2] != "-")
            {
                if (!long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x))
                {
                    return null;
                }

                xact = x;
            }

            list.Add(new(pid, start, xact, parts[3].Contains('i', StringComparison.Ordinal), parts[3].Contains('r', StringComparison.Ordinal)));
        }

        return list.Count == 0 ? null : list;
    }
}
