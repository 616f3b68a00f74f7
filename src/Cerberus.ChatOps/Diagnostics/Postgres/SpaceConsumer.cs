namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// One consumer of the data volume besides the tables: pg_wal, temporary files, server logs, the WAL held for the
/// archiver. <see cref="Bytes"/> is null when it could not be measured (<see cref="Unknown"/> says why: never "none").
/// </summary>
/// <param name="Name">As messages name it ("temp files").</param>
/// <param name="Bytes">Its size, or null when unknown.</param>
/// <param name="Files">How many files, when known.</param>
/// <param name="Detail">The detail line for the probe's report.</param>
/// <param name="Unknown">Why it is unknown (permission denied, error), when it is.</param>
internal sealed record SpaceConsumer(string Name, long? Bytes, long? Files, string Detail, string? Unknown = null)
{
    public static SpaceConsumer Unmeasured(string name, string why) => new(name, null, null, $"{name}: unknown ({why})", why);
}
