using NpgsqlTypes;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>pg_lsn text (e.g. 0/3400000) for the byte positions Patroni reports as integers.</summary>
internal static class PgLsn
{
    /// <summary>pg_lsn text through Npgsql's own type (the one LSN type on the app side).</summary>
    public static string Format(long lsn) => new NpgsqlLogSequenceNumber((ulong)lsn).ToString();
}
