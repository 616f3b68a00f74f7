using Cerberus.ChatOps.Hosting.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Hosting.Metrics;

public sealed class MetricsSlackAckTimingMiddlewareTests
{
    [Fact]
    public async Task InvokeAsync_SlackRoute_ObservesTheElapsedTimeUnderTheRoutePattern()
    {
        // arrange (a route pattern no other test uses, so parallel tests cannot disturb the sample)
        var route = "/slack/ack-test-" + Guid.NewGuid().ToString("N");
        var clock = new FakeTimeProvider();
        var middleware = new SlackAckTimingMiddleware(_ => { clock.Advance(TimeSpan.FromMilliseconds(200)); return Task.CompletedTask; }, clock);
        var context = ContextFor("/slack/commands", route);

        // act
        await middleware.InvokeAsync(context);

        // assert
        var body = await ScrapeAsync();
        Assert.Contains($"cerberus_slack_ack_duration_seconds_count{{route=\"{route}\"}} 1\n", body, StringComparison.Ordinal);
        Assert.Contains($"cerberus_slack_ack_duration_seconds_sum{{route=\"{route}\"}} 0.2\n", body, StringComparison.Ordinal);
        Assert.Contains($"cerberus_slack_ack_duration_seconds_bucket{{route=\"{route}\",le=\"0.1\"}} 0\n", body, StringComparison.Ordinal);
        Assert.Contains($"cerberus_slack_ack_duration_seconds_bucket{{route=\"{route}\",le=\"0.25\"}} 1\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_HandlerThrows_StillObservesAndRethrows()
    {
        // arrange
        var route = "/slack/ack-throw-" + Guid.NewGuid().ToString("N");
        var middleware = new SlackAckTimingMiddleware(_ => throw new InvalidOperationException("boom"), new FakeTimeProvider());
        var context = ContextFor("/slack/events", route);

        // act
        var thrown = await Record.ExceptionAsync(() => middleware.InvokeAsync(context));

        // assert
        Assert.IsType<InvalidOperationException>(thrown);
        Assert.Contains($"cerberus_slack_ack_duration_seconds_count{{route=\"{route}\"}} 1\n", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_PathOutsideSlack_ObservesNothing()
    {
        // arrange
        var route = "/healthz-ack-test-" + Guid.NewGuid().ToString("N");
        var called = false;
        var middleware = new SlackAckTimingMiddleware(_ => { called = true; return Task.CompletedTask; }, new FakeTimeProvider());
        var context = ContextFor("/healthz", route);

        // act
        await middleware.InvokeAsync(context);

        // assert
        Assert.True(called);
        Assert.DoesNotContain(route, await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void RouteOf_NoEndpointMatched_IsUnmatchedNotTheRawPath()
    {
        // arrange
        var context = new DefaultHttpContext();
        context.Request.Path = "/slack/anything/U123";

        // act
        var route = SlackAckTimingMiddleware.RouteOf(context);

        // assert
        Assert.Equal(CerberusMetrics.Unmatched, route);
    }

    private static DefaultHttpContext ContextFor(string path, string routePattern)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(routePattern), 0, EndpointMetadataCollection.Empty, "test"));
        return context;
    }

    private static async Task<string> ScrapeAsync()
    {
        CerberusMetrics.EnsureRegistered();
        using var stream = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
