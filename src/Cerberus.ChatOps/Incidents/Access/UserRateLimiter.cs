using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Access;

/// <summary>
/// Per-user fixed-window limits on <c>start</c>/<c>drill</c> and <c>diagnose</c>, built on the rate limiter ASP.NET
/// Core's middleware uses (System.Threading.RateLimiting), applied where the verified user id is known: after the
/// durable inbox, for HTTP, Socket Mode and the console alike. Slack's retries are deduped before they reach it.
/// </summary>
internal sealed class UserRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(RateLimitedOperation Operation, string User)> _limiter;

    public UserRateLimiter(IOptionsMonitor<IncidentOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limiter = PartitionedRateLimiter.Create<(RateLimitedOperation Operation, string User), (RateLimitedOperation, string)>(key =>
        {
            var limits = options.CurrentValue.RateLimit;
            var permits = key.Operation == RateLimitedOperation.Start ? limits.StartsPerUser : limits.DiagnosesPerUser;
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = limits.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
    }

    /// <summary>True when the user may go ahead now; false when they are over their limit for this window.</summary>
    public bool TryAcquire(RateLimitedOperation operation, string user)
    {
        using var lease = _limiter.AttemptAcquire((operation, user));
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
