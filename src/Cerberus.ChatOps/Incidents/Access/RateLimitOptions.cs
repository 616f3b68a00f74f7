namespace Cerberus.ChatOps.Incidents.Access;

/// <summary><c>Cerberus:RateLimit</c>: per-user limits on what anyone may do (declaring, re-running the diagnostics).</summary>
internal sealed class RateLimitOptions
{
    /// <summary>Incidents (and drills) one user may declare per <see cref="Window"/>.</summary>
    public int StartsPerUser { get; set; } = 5;

    /// <summary>Diagnostics runs one user may ask for per <see cref="Window"/> (each runs every production probe).</summary>
    public int DiagnosesPerUser { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
}
