using System.Diagnostics;
using Cerberus.ChatOps.Diagnostics.Http;
using Cerberus.ChatOps.Domain.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Diagnostics.Http;

public sealed class AppHealthProbeTests
{
    [Fact]
    public async Task RunAsync_FastOk_OkWithStatusAndLatency()
    {
        // arrange
        await using var app = await LocalHttpServer.StartAsync(200);

        // a generous threshold: two shared cores under a parallel build can make the first request slow
        var probe = Probe(new Uri(app.Uri, "health").ToString(), o => o.SlowThreshold = TimeSpan.FromSeconds(3));

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeNames.App, result.Probe);
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("200", result.Facts[FactKeys.AppHttpStatus]);
        Assert.True(int.Parse(result.Facts[FactKeys.AppLatencyMs], System.Globalization.CultureInfo.InvariantCulture) < 3000);
    }

    [Fact]
    public async Task RunAsync_ServerError_Crit()
    {
        // arrange
        await using var app = await LocalHttpServer.StartAsync(500);
        var probe = Probe(new Uri(app.Uri, "health").ToString());

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Equal("500", result.Facts[FactKeys.AppHttpStatus]);
    }

    [Fact]
    public async Task RunAsync_SlowButOk_Warn()
    {
        // arrange
        await using var app = await LocalHttpServer.StartAsync(200, TimeSpan.FromMilliseconds(400));
        var probe = Probe(new Uri(app.Uri, "health").ToString(), o => o.SlowThreshold = TimeSpan.FromMilliseconds(200));

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Warn, result.Status);
        Assert.Contains("slow", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HangingEndpoint_CritWithinItsTimeout()
    {
        // arrange
        await using var app = await LocalHttpServer.StartAsync(200, TimeSpan.FromMinutes(5));
        var probe = Probe(new Uri(app.Uri, "health").ToString(), o => o.Timeout = TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Contains("no answer within 0.5 s", result.Summary, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_Refused_Crit()
    {
        // arrange
        var port = FreePort();
        var probe = Probe($"http://127.0.0.1:{port}/health");

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Crit, result.Status);
        Assert.Contains("down or unreachable", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NotConfigured_UnknownQuickly()
    {
        // arrange
        var probe = Probe(null);

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("Cerberus__App__HealthUrl", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UrlWithCredentials_SummaryShowsNeither()
    {
        // arrange
        await using var app = await LocalHttpServer.StartAsync(200);
        var probe = Probe($"http://probe:hunter2pw@{app.Uri.Authority}/health?token=abc123secret");

        // act
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.DoesNotContain("hunter2pw", result.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("abc123secret", result.Summary, StringComparison.Ordinal);
        Assert.Contains($"{app.Uri.Authority}/health", result.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("http://cerberus-backend:8000/health", true)]
    [InlineData("cerberus-backend:8000/health", false)]
    [InlineData("ftp://cerberus-backend/health", false)]
    public void Validate_HealthUrl_AcceptsEmptyOrAbsoluteHttp(string url, bool valid)
    {
        // arrange
        var validator = new AppOptionsValidator();

        // act
        var result = validator.Validate(null, new AppOptions { HealthUrl = url });

        // assert
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Cerberus:App:HealthUrl", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    private static AppHealthProbe Probe(string? url, Action<AppOptions>? configure = null)
    {
        var options = new AppOptions { HealthUrl = url };
        configure?.Invoke(options);
        var services = new ServiceCollection();
        services.AddHttpClient(AppHealthProbe.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        var factory = services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        return new AppHealthProbe(factory, Options.Create(options), TimeProvider.System, NullLogger<AppHealthProbe>.Instance);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
