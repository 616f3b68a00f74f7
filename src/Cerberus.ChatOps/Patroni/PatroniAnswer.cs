namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// A GET from one member: the value, or why there is none. A hung member is <see cref="TimedOut"/>, which is
/// neither up nor cleanly down.
/// </summary>
internal sealed record PatroniAnswer<T>(Uri Member, T? Value, int? StatusCode, bool TimedOut, string? Error, TimeSpan Elapsed)
    where T : class
{
    public bool Succeeded => Value is not null;
}
