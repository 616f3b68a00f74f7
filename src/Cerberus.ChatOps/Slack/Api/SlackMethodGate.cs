using System.Collections.Concurrent;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// Remembers a 429's Retry-After per Web API method (Slack's limits are per method), so that other calls of the
/// same method wait it out instead of being rejected too; calls of other methods are not held back.
/// </summary>
internal sealed class SlackMethodGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedUntil = new(StringComparer.Ordinal);

    public void Block(string method, TimeSpan retryAfter)
    {
        var until = time.GetUtcNow() + retryAfter;
        _blockedUntil.AddOrUpdate(method, until, (_, current) => current > until ? current : until);
    }

    public TimeSpan Remaining(string method) =>
        _blockedUntil.TryGetValue(method, out var until) && until > time.GetUtcNow() ? until - time.GetUtcNow() : TimeSpan.Zero;

    public Task WaitAsync(string method, CancellationToken cancellationToken)
    {
        var wait = Remaining(method);
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }
}
