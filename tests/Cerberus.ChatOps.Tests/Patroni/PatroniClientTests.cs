using System.Net;
using System.Net.Sockets;
using System.Text;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Patroni;

/// <summary>
/// How the client reads POST /switchover and /failover (Patroni 3.0.2 api.py do_POST_failover, poll_failover_result):
/// what is certain, what is unknown, and what provably never reached Patroni.
/// </summary>
public sealed class PatroniClientTests
{
    private static readonly Uri Member = new("http://10.0.0.1:8008/");

    private static PatroniClient CreateSut(HttpMessageHandler handler, Uri? member = null) => new(
        new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan },
        Options.Create(new PatroniOptions { Urls = [(member ?? Member).ToString()], Username = "patroni", Password = "s3cret-pw" }),
        TimeProvider.System,
        NullLogger<PatroniClient>.Instance);

    private static HttpResponseMessage Text(HttpStatusCode status, string text) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "text/html") };

    [Theory]
    [InlineData("Switchover failed")]
    [InlineData("failed to write switchover key into DCS")]
    public async Task SwitchoverAsync_503Failed_CertainFailureNotUnknown(string body)
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => Text(HttpStatusCode.ServiceUnavailable, body)));

        // act
        var result = await sut.SwitchoverAsync(Member, "pg1", "pg2", CancellationToken.None);

        // assert
        Assert.Equal(503, result.StatusCode);
        Assert.True(result.Failed);
        Assert.False(result.Unknown);
        Assert.False(result.NotSent);
    }

    [Fact]
    public async Task FailoverAsync_503StatusUnknown_Unknown()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => Text(HttpStatusCode.ServiceUnavailable, "Failover status unknown")));

        // act
        var result = await sut.FailoverAsync(Member, "pg2", CancellationToken.None);

        // assert
        Assert.False(result.Failed);
        Assert.True(result.Unknown);
    }

    [Fact]
    public async Task FailoverAsync_200InsteadOf_BodyKeptAndSucceeded()
    {
        // arrange
        var handler = new ScriptedHandler((_, _) => Text(HttpStatusCode.OK, "Failed over to \"pg3\" instead of \"pg2\""));
        var sut = CreateSut(handler);

        // act
        var result = await sut.FailoverAsync(Member, "pg2", CancellationToken.None);

        // assert
        Assert.True(result.Succeeded);
        Assert.Equal("Failed over to \"pg3\" instead of \"pg2\"", result.Body);
        Assert.Equal((HttpMethod.Post, "/failover", "{\"candidate\":\"pg2\"}"), handler.Requests.Single());
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError)]
    [InlineData(HttpRequestError.NameResolutionError)]
    public async Task SwitchoverAsync_ConnectionNeverEstablished_NotSent(HttpRequestError error)
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => throw new HttpRequestException(error, "boom")));

        // act
        var result = await sut.SwitchoverAsync(Member, "pg1", "pg2", CancellationToken.None);

        // assert
        Assert.Null(result.StatusCode);
        Assert.True(result.NotSent);
        Assert.False(result.Unknown);
    }

    [Theory]
    [InlineData(HttpRequestError.ResponseEnded)]
    [InlineData(HttpRequestError.InvalidResponse)]
    [InlineData(HttpRequestError.Unknown)]
    [InlineData(HttpRequestError.SecureConnectionError)]
    public async Task SwitchoverAsync_ErrorOnceConnected_UnknownNeverNotSent(HttpRequestError error)
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => throw new HttpRequestException(error, "boom")));

        // act
        var result = await sut.SwitchoverAsync(Member, "pg1", "pg2", CancellationToken.None);

        // assert
        Assert.Null(result.StatusCode);
        Assert.False(result.NotSent);
        Assert.True(result.Unknown);
        Assert.Contains("the outcome is unknown", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchoverAsync_RealSocketClosedAfterTheBodyArrived_UnknownNeverNotSent()
    {
        // arrange: a "Patroni" that reads the whole request, then drops the connection without answering
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[8192];
            var text = new StringBuilder();
            while (!text.ToString().Contains("\"candidate\":\"pg2\"", StringComparison.Ordinal))
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }

            received.SetResult(text.ToString());
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        var member = new Uri($"http://127.0.0.1:{port}/");
        using var handler = new SocketsHttpHandler();
        var sut = CreateSut(handler, member);

        // act
        var result = await sut.SwitchoverAsync(member, "pg1", "pg2", CancellationToken.None);
        await server;

        // assert
        Assert.Contains("POST /switchover", await received.Task, StringComparison.Ordinal);
        Assert.Null(result.StatusCode);
        Assert.False(result.NotSent);
        Assert.True(result.Unknown);
    }

    [Fact]
    public async Task SwitchoverAsync_RealPortNobodyListensOn_NotSent()
    {
        // arrange: a loopback port that was just free (connection refused)
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var member = new Uri($"http://127.0.0.1:{port}/");
        using var handler = new SocketsHttpHandler();
        var sut = CreateSut(handler, member);

        // act
        var result = await sut.SwitchoverAsync(member, "pg1", "pg2", CancellationToken.None);

        // assert
        Assert.True(result.NotSent, result.Error);
        Assert.Contains("nothing was sent", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchConfigAsync_NullValue_SendsPatchWithBasicAuthAndJsonNull()
    {
        // arrange
        string? authorization = null;
        var handler = new ScriptedHandler((request, _) =>
        {
            authorization = request.Headers.Authorization?.ToString();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"ttl":20,"slots":{}}""", Encoding.UTF8, "application/json") };
        });
        var sut = CreateSut(handler);
        var patch = new System.Text.Json.Nodes.JsonObject { ["slots"] = new System.Text.Json.Nodes.JsonObject { ["archive"] = null } };

        // act
        var result = await sut.PatchConfigAsync(Member, patch, CancellationToken.None);

        // assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Patch, sent.Method);
        Assert.Equal("/config", sent.Path);
        Assert.Equal("""{"slots":{"archive":null}}""", sent.Body);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("patroni:s3cret-pw")), authorization);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task PatchConfigAsync_401_NotSucceededAndNotUnknown()
    {
        // arrange
        var sut = CreateSut(new ScriptedHandler((_, _) => Text(HttpStatusCode.Unauthorized, "no auth header received")));

        // act
        var result = await sut.PatchConfigAsync(Member, new System.Text.Json.Nodes.JsonObject { ["slots"] = null }, CancellationToken.None);

        // assert
        Assert.Equal(401, result.StatusCode);
        Assert.False(result.Succeeded);
        Assert.False(result.Unknown);
        Assert.Equal("no auth header received", result.Body);
    }

    [Fact]
    public async Task ReinitializeAsync_NotForced_PostsForceFalseWithBasicAuth()
    {
        // arrange
        string? authorization = null;
        var handler = new ScriptedHandler((request, _) =>
        {
            authorization = request.Headers.Authorization?.ToString();
            return Text(HttpStatusCode.OK, "reinitialize started");
        });
        var sut = CreateSut(handler);

        // act
        var result = await sut.ReinitializeAsync(Member, force: false, CancellationToken.None);

        // assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/reinitialize", sent.Path);
        Assert.Equal("""{"force":false}""", sent.Body);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("patroni:s3cret-pw")), authorization);
        Assert.True(result.Succeeded);
        Assert.Equal("reinitialize started", result.Body);
    }

    [Fact]
    public async Task ReinitializeAsync_503AlreadyInProgress_StatusAndTextKept()
    {
        // arrange: 3.0.2 ha.py reinitialize, when the member's async executor is busy
        var sut = CreateSut(new ScriptedHandler((_, _) => Text(HttpStatusCode.ServiceUnavailable, "reinitialize already in progress")));

        // act
        var result = await sut.ReinitializeAsync(Member, force: false, CancellationToken.None);

        // assert
        Assert.Equal(503, result.StatusCode);
        Assert.False(result.Succeeded);
        Assert.False(result.NotSent);
        Assert.Equal("reinitialize already in progress", result.Body);
    }
}
