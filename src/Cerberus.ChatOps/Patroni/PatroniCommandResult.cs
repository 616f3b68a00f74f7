namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// The answer to POST /switchover or /failover (Patroni 3.0.2 <c>api.py</c> <c>do_POST_failover</c> and
/// <c>poll_failover_result</c>): plain text. 200 done ("Successfully switched over to "X"", or "Switched over to "Y"
/// instead of "X"" when Patroni chose another member); 202 scheduled; 400/412 refused before anything was written
/// (412 may be transient: re-read /cluster); 503 "… failed" (the failover key is gone and the leader did not change:
/// certain), "failed to write … key into DCS" (nothing written: certain) or "… status unknown" (re-read /cluster;
/// never retry blindly).
/// </summary>
/// <param name="StatusCode">Null when no HTTP answer arrived: see <see cref="NotSent"/> and <see cref="TimedOut"/>.</param>
/// <param name="NotSent">
/// True only when the request provably never reached Patroni (the connection could not be established or the name
/// did not resolve). Any other transport failure, and a timeout, happened after the body may have been delivered:
/// the outcome is unknown and must be read from /cluster.
/// </param>
internal sealed record PatroniCommandResult(Uri Member, int? StatusCode, string Body, bool TimedOut, string? Error, TimeSpan Elapsed, bool NotSent = false)
{
    public bool Succeeded => StatusCode == 200;

    /// <summary>The outcome cannot be known from this answer: /cluster decides.</summary>
    public bool Unknown => StatusCode is null ? !NotSent : StatusCode >= 500 && !Failed;

    /// <summary>
    /// Patroni says for certain that nothing happened: 503 "Switchover failed"/"Failover failed" (it saw the failover
    /// key removed with the leader unchanged) or "failed to write failover key into DCS".
    /// </summary>
    public bool Failed => StatusCode == 503 && (
        Body.EndsWith(" failed", StringComparison.OrdinalIgnoreCase)
        || Body.StartsWith("failed to write", StringComparison.OrdinalIgnoreCase));
}
