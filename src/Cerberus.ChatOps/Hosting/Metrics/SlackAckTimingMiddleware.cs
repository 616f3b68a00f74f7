namespace Cerberus.ChatOps.Hosting.Metrics;

/// <summary>
/// Records how long every request under <c>/slack/</c> took to answer into
/// <c>cerberus_slack_ack_duration_seconds</c>, labelled by the matched route pattern (never the raw path), so the
/// Slack adapter does not have to.
/// </summary>
internal sealed class SlackAckTimingMiddleware(RequestDelegate next, TimeProvider timeProvider)
{
    public const string SlackPrefix = "/slack/";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(SlackPrefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var started = timeProvider.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            CerberusMetrics.SlackAcknowledged(RouteOf(context), timeProvider.GetElapsedTime(started));
        }
    }

    internal static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { Length: > 0 } pattern }
            ? (pattern.StartsWith('/') ? pattern : "/" + pattern)
            : CerberusMetrics.Unmatched;
}
