namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// The answer to POST /switchover or /failover. Patroni answers plain text: 200 done, 202 scheduled, 400/412
/// refused (412 may be transient: re-read /cluster), 503 failed or status unknown (re-read /cluster; never retry blindly).
/// </summary>
public sealed record PatroniCommandResult(Uri Member, int? StatusCode, string Body, bool TimedOut, string? Error, TimeSpan Elapsed)
{
    public bool Succeeded => StatusCode == 200;
}
