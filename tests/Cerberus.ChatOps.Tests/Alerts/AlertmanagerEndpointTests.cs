using System.Text;
using Cerberus.ChatOps.Alerts;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerberus.ChatOps.Tests.Alerts;

/// <summary>The webhook's answers: 401 without or with a wrong token, 413 over the cap, 400 for a bad body, 200 once stored (and for a repeat).</summary>
public sealed class AlertmanagerEndpointTests : IAsyncLifetime
{
    private const string Token = "alerts-token-0123456789abcdef0123";
    private readonly EngineHarness _harness = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Receive_NoTokenConfigured_401AndNothingStored()
    {
        // act
        var result = await ReceiveAsync(Valid(), "Bearer " + Token, new AlertsOptions { Channel = "CALERTS" });

        // assert
        AssertProblem(result, StatusCodes.Status401Unauthorized, "The Alertmanager webhook is closed");
        Assert.Equal(0, (await ((IInboxStore)_harness.Store).BacklogAsync(CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData(null, "A bearer token is required")]
    [InlineData("Basic YWxhZGRpbjpvcGVuc2VzYW1l", "A bearer token is required")]
    [InlineData("Bearer alerts-token-0123456789abcdef0124", "The bearer token is not valid.")]
    public async Task Receive_MissingOrWrongToken_401(string? authorization, string expected)
    {
        // act
        var result = await ReceiveAsync(Valid(), authorization);

        // assert
        AssertProblem(result, StatusCodes.Status401Unauthorized, expected);
    }

    [Fact]
    public async Task Receive_BodyOverTheCap_413()
    {
        // arrange
        var options = Options();
        options.MaxBodyBytes = 1024;
        var big = AlertmanagerPayloads.Notification("firing", [.. Enumerable.Range(0, 20).Select(i => AlertmanagerPayloads.Alert($"f{i}"))]);

        // act
        var result = await ReceiveAsync(big, "Bearer " + Token, options, sendLength: false);

        // assert
        AssertProblem(result, StatusCodes.Status413PayloadTooLarge, "The notification is larger than 1024 bytes");
    }

    [Fact]
    public async Task Receive_MalformedBody_400WithTheReason()
    {
        // act
        var result = await ReceiveAsync("{\"version\":\"4\"}", "Bearer " + Token);

        // assert
        AssertProblem(result, StatusCodes.Status400BadRequest, "groupKey is required.");
    }

    [Fact]
    public async Task Receive_ValidTwice_StoredOnceAndTheRepeatAnsweredDuplicate()
    {
        // act
        var first = await ReceiveAsync(Valid(), "Bearer " + Token);
        var again = await ReceiveAsync(Valid(), "Bearer " + Token);

        // assert
        Assert.Equal(new AlertmanagerReceipt("accepted", 1), Assert.IsType<Ok<AlertmanagerReceipt>>(first.Result).Value);
        Assert.Equal(new AlertmanagerReceipt("duplicate", 1), Assert.IsType<Ok<AlertmanagerReceipt>>(again.Result).Value);
        var pending = await _harness.Store.ListPendingAsync(10, CancellationToken.None);
        var item = Assert.Single(pending);
        Assert.Equal(InboundKinds.Alert, item.Kind);
    }

    private static string Valid() => AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1"));

    private static AlertsOptions Options() => new() { BearerToken = Token, Channel = "CALERTS" };

    private async Task<Results<Ok<AlertmanagerReceipt>, ProblemHttpResult>> ReceiveAsync(string body, string? authorization, AlertsOptions? options = null, bool sendLength = true)
    {
        var http = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        http.Request.Method = "POST";
        http.Request.Body = new MemoryStream(bytes);
        http.Request.ContentLength = sendLength ? bytes.Length : null;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        return await AlertmanagerEndpoints.ReceiveAsync(http, new StaticOptionsMonitor<AlertsOptions>(options ?? Options()), _harness.Store, new InboundSignal(),
            _harness.Time, NullLoggerFactory.Instance, CancellationToken.None);
    }

    private static void AssertProblem(Results<Ok<AlertmanagerReceipt>, ProblemHttpResult> result, int status, string detail)
    {
        var problem = Assert.IsType<ProblemHttpResult>(result.Result);
        Assert.Equal(status, problem.StatusCode);
        Assert.StartsWith(detail, problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }
}
