using Prometheus;

namespace Cerberus.ChatOps.Hosting.Metrics;

/// <summary><c>GET /metrics</c> in the Prometheus text format, and the Slack acknowledgement timing.</summary>
internal static class MetricsEndpoints
{
    public const string Path = "/metrics";

    /// <summary>Times every <c>/slack/</c> request (see <see cref="SlackAckTimingMiddleware"/>).</summary>
    public static IApplicationBuilder UseSlackAckTiming(this IApplicationBuilder app) =>
        app.UseMiddleware<SlackAckTimingMiddleware>();

    /// <summary>Maps <c>GET /metrics</c>: the series of <see cref="CerberusMetrics"/> plus prometheus-net's process and .NET ones.</summary>
    public static IEndpointRouteBuilder MapCerberusMetrics(this IEndpointRouteBuilder endpoints)
    {
        CerberusMetrics.EnsureRegistered();
        endpoints.MapMetrics(Path);
        return endpoints;
    }
}
