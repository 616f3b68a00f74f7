using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// The retention cutoff as a value of the timestamp column's own type, so the comparison never goes through the
/// session TimeZone (dba-review defect 20, hole 2). timestamptz: the UTC instant. timestamp (no zone) and date: the
/// earlier of the cutoff's UTC wall clock and its wall clock in the server's TimeZone, so a row is deleted only when it
/// is older than the retention whichever of the two its writer used; a date is older only when its whole day is.
/// </summary>
internal sealed record CutoffBinding(string ColumnType, NpgsqlDbType DbType, object Value, string Text)
{
    public const string TimestampTz = "timestamp with time zone";
    public const string Timestamp = "timestamp without time zone";
    public const string Date = "date";

    /// <summary>The binding for a column of <paramref name="columnType"/> (format_type), or null for any other type.</summary>
    public static CutoffBinding? For(string columnType, DateTimeOffset cutoff, DateTime serverWallClock)
    {
        var utcWall = DateTime.SpecifyKind(cutoff.UtcDateTime, DateTimeKind.Unspecified);
        var earlier = DateTime.SpecifyKind(serverWallClock < utcWall ? serverWallClock : utcWall, DateTimeKind.Unspecified);
        return columnType switch
        {
            TimestampTz => new(columnType, NpgsqlDbType.TimestampTz, cutoff.UtcDateTime, cutoff.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture)),
            Timestamp => new(columnType, NpgsqlDbType.Timestamp, earlier, earlier.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            Date => new(columnType, NpgsqlDbType.Date, DateOnly.FromDateTime(earlier), DateOnly.FromDateTime(earlier).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            _ => null,
        };
    }

    /// <summary>Reads back a binding stored as (type, <see cref="Text"/>); null when it does not parse.</summary>
    public static CutoffBinding? Parse(string columnType, string text)
    {
        switch (columnType)
        {
            case TimestampTz when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at):
                return new(columnType, NpgsqlDbType.TimestampTz, at.UtcDateTime, text);
            case Timestamp when DateTime.TryParseExact(text, "yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var wall):
                return new(columnType, NpgsqlDbType.Timestamp, DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), text);
            case Date when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day):
                return new(columnType, NpgsqlDbType.Date, day, text);
            default:
                return null;
        }
    }

    /// <summary>The SQL literal the card shows, typed like the column.</summary>
    public string Literal => DbType switch
    {
        NpgsqlDbType.TimestampTz => $"'{Text}'::timestamptz",
        NpgsqlDbType.Timestamp => $"'{Text}'::timestamp",
        _ => $"'{Text}'::date",
    };

    public NpgsqlParameter Parameter(string name) => new(name, DbType) { Value = Value };
}
