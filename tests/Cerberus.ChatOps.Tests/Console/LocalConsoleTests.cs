using System.Net;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.ConsoleMode;
using Cerberus.ChatOps.Slack.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cerberus.ChatOps.Tests.Console;

public sealed class LocalConsoleTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData("192.168.1.20", false)]
    public void IsLocal_RemoteAddress_OnlyLoopbackPasses(string address, bool expected)
    {
        // arrange
        var ip = IPAddress.Parse(address);

        // act
        var local = LoopbackOnlyFilter.IsLocal(ip);

        // assert
        Assert.Equal(expected, local);
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("attacker.example", false)]
    [InlineData("localhost.attacker.example", false)]
    public void IsLocalHost_HostHeader_OnlyLocalNamesPass(string host, bool expected)
    {
        // arrange
        // act
        var local = LoopbackOnlyFilter.IsLocalHost(host);

        // assert
        Assert.Equal(expected, local);
    }

    [Fact]
    public void IsLocal_UnknownRemote_IsRefused()
    {
        // arrange
        // act
        var local = LoopbackOnlyFilter.IsLocal(null);

        // assert
        Assert.False(local);
    }

    [Theory]
    [InlineData("http://localhost/console/response/R000001", true)]
    [InlineData("http://localhost/console/upload/F000001", true)]
    [InlineData("http://localhost/other/response/R1", false)]
    [InlineData("http://127.0.0.1/console/response/R1", false)]
    [InlineData("http://localhost:8080/console/response/R1", false)]
    [InlineData("https://evil.example/console/response/R1", false)]
    [InlineData("https://hooks.slack.com/actions/T0/1/x", true)]
    public void IsAllowed_WithTheConsoleBase_AllowsExactlyThatBaseBesidesSlack(string url, bool expected)
    {
        // arrange
        // act
        var allowed = SlackUrlGuard.IsAllowed(url, LocalConsole.LocalBase);

        // assert
        Assert.Equal(expected, allowed);
    }

    [Theory]
    [InlineData(null, null, null, null, true)]
    [InlineData("secret", null, null, null, false)]
    [InlineData(null, "xapp-1", null, null, false)]
    [InlineData(null, null, "10.96.0.1", null, false)]
    [InlineData(null, null, "10.96.0.1", "true", true)]
    [InlineData(null, null, null, "false", false)]
    [InlineData("secret", null, "10.96.0.1", "true", false)]
    public void IsWanted_SlackCredentialsClusterAndSwitch_DecideTheConsole(string? signingSecret, string? appToken, string? kubernetesServiceHost, string? enabled, bool expected)
    {
        // arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = signingSecret,
            ["Slack:AppToken"] = appToken,
            ["Cerberus:Console:Enabled"] = enabled,
        }).Build();

        // act
        var wanted = LocalConsole.IsWanted(configuration, kubernetesServiceHost);

        // assert
        Assert.Equal(expected, wanted);
    }

    [Fact]
    public void AddLocalConsole_KubernetesServiceHostSet_RegistersNoConsole()
    {
        // arrange
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        var previous = Environment.GetEnvironmentVariable(LocalConsole.KubernetesVariable);
        Environment.SetEnvironmentVariable(LocalConsole.KubernetesVariable, "10.96.0.1");

        // act
        try
        {
            services.AddLocalConsole(configuration);
        }
        finally
        {
            Environment.SetEnvironmentVariable(LocalConsole.KubernetesVariable, previous);
        }

        // assert
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(LocalConsole) || d.ServiceType == typeof(ConsoleServer));
        Assert.Contains(services, d => d.ImplementationType == typeof(ConsoleOffNotice));
    }

    [Fact]
    public void From_PortOutOfRange_IsAConfigurationError()
    {
        // arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cerberus:Console:Port"] = "70000" }).Build();

        // act
        var ex = Assert.Throws<InvalidOperationException>(() => ConsoleOptions.From(configuration));

        // assert
        Assert.StartsWith("Failed to convert configuration value at 'Cerberus:Console:Port'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsAccessToken_OnlyTheExactToken_Passes()
    {
        // arrange
        var sut = new LocalConsole();
        var other = new LocalConsole();

        // act
        var exact = sut.IsAccessToken(sut.AccessToken);
        var prefix = sut.IsAccessToken(sut.AccessToken[..^1]);
        var longer = sut.IsAccessToken(sut.AccessToken + "0");
        var another = sut.IsAccessToken(other.AccessToken);
        var none = sut.IsAccessToken(null);

        // assert
        Assert.True(exact);
        Assert.False(prefix);
        Assert.False(longer);
        Assert.False(another);
        Assert.False(none);
        Assert.Equal(48, sut.AccessToken.Length);
        Assert.DoesNotContain(sut.AccessToken, sut.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_NoToken_Is401AndNextNotCalled()
    {
        // arrange
        var console = new LocalConsole();
        var (context, called) = FilterContext(_ => { });

        // act
        var result = await CreateFilter(console).InvokeAsync(context, called.Next);

        // assert
        Assert.Equal(StatusCodes.Status401Unauthorized, Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode);
        Assert.False(called.Value);
    }

    [Fact]
    public async Task InvokeAsync_WrongTokenEverywhere_Is401()
    {
        // arrange
        var console = new LocalConsole();
        var wrong = new LocalConsole().AccessToken;
        var (context, called) = FilterContext(r =>
        {
            r.QueryString = new QueryString("?token=" + wrong);
            r.Headers[ConsoleTokenFilter.HeaderName] = wrong;
            r.Headers.Cookie = ConsoleTokenFilter.CookieName(5050) + "=" + wrong;
        });

        // act
        var result = await CreateFilter(console).InvokeAsync(context, called.Next);

        // assert
        Assert.Equal(StatusCodes.Status401Unauthorized, Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode);
        Assert.False(called.Value);
    }

    [Fact]
    public async Task InvokeAsync_QueryToken_PassesAndSetsAStrictHttpOnlyCookieForThisPort()
    {
        // arrange
        var console = new LocalConsole();
        var (context, called) = FilterContext(r => r.QueryString = new QueryString("?token=" + console.AccessToken));

        // act
        await CreateFilter(console).InvokeAsync(context, called.Next);

        // assert
        Assert.True(called.Value);
        var cookie = context.HttpContext.Response.Headers.SetCookie.ToString();
        Assert.StartsWith(ConsoleTokenFilter.CookieName(5050) + "=" + console.AccessToken, cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/console", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InvokeAsync_HeaderOrCookie_Passes(bool header)
    {
        // arrange
        var console = new LocalConsole();
        var (context, called) = FilterContext(r =>
        {
            if (header)
            {
                r.Headers[ConsoleTokenFilter.HeaderName] = console.AccessToken;
            }
            else
            {
                r.Headers.Cookie = ConsoleTokenFilter.CookieName(5050) + "=" + console.AccessToken;
            }
        });

        // act
        await CreateFilter(console).InvokeAsync(context, called.Next);

        // assert
        Assert.True(called.Value);
    }

    private static ConsoleTokenFilter CreateFilter(LocalConsole console) => new(console, NullLogger<ConsoleTokenFilter>.Instance);

    private static (EndpointFilterInvocationContext Context, Called Called) FilterContext(Action<HttpRequest> request)
    {
        var http = new DefaultHttpContext();
        http.Connection.LocalPort = 5050;
        http.Request.Path = "/console/api/messages";
        request(http.Request);
        return (new DefaultEndpointFilterInvocationContext(http), new Called());
    }

    [Fact]
    public void SigningSecret_TwoConsoles_AreRandomAndNeverPrinted()
    {
        // arrange
        var first = new LocalConsole();
        var second = new LocalConsole();

        // act
        var text = first.ToString();

        // assert
        Assert.NotEqual(first.SigningSecret, second.SigningSecret);
        Assert.Equal(64, first.SigningSecret.Length);
        Assert.DoesNotContain(first.SigningSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Respond_ReplaceOriginal_ReplacesTheMessageThatCarriedTheButton()
    {
        // arrange
        var slack = new LocalSlack(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000)));
        var posted = slack.Handle("chat.postMessage", new Dictionary<string, string> { ["channel"] = "C1", ["text"] = "approve?" });
        var ts = (string)posted["ts"]!;
        var url = slack.IssueResponseUrl("C1", ts);

        // act
        var ok = slack.Respond(url[LocalConsole.ResponsePrefix.Length..], new JsonObject { ["text"] = "approved", ["replace_original"] = true });

        // assert
        Assert.True(ok);
        var message = Assert.Single(slack.Since(0));
        Assert.Equal("approved", message.Text);
        Assert.True(message.Edited);
    }

    [Fact]
    public void Handle_HistoryWithMetadata_FindsTheOutboxIdOfAPost()
    {
        // arrange
        var slack = new LocalSlack(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000)));
        slack.Handle("chat.postMessage", new Dictionary<string, string> { ["channel"] = "C1", ["text"] = "header", ["metadata"] = "{\"event_type\":\"cerberus_outbox\",\"event_payload\":{\"id\":\"INC/1/0\"}}" });

        // act
        var history = slack.Handle("conversations.history", new Dictionary<string, string> { ["channel"] = "C1", ["include_all_metadata"] = "true" });

        // assert
        Assert.Equal("INC/1/0", (string?)history["messages"]![0]!["metadata"]!["event_payload"]!["id"]);
    }

    private sealed class Called
    {
        public bool Value { get; private set; }

        public ValueTask<object?> Next(EndpointFilterInvocationContext context)
        {
            Value = true;
            return ValueTask.FromResult<object?>(Results.Ok());
        }
    }
}
