using System.Diagnostics;
using System.Net;
using System.Text;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Console;

/// <summary>The local console on a real host process, driven in headless Chromium by tests/js/console.mjs.</summary>
public sealed class LocalConsoleTests
{
    [Fact]
    public async Task Console_InHeadlessChromium_StartsAnIncidentAndAnswersAConfirmDialog()
    {
        // arrange
        await using var host = await CerberusProcess.StartAsync();
        var console = await ConsoleUrlAsync(host);
        var screenshot = Path.Combine(Path.GetTempPath(), $"cerberus-console-{Guid.NewGuid():N}.png");

        // act
        var (exitCode, output) = await RunNodeAsync("console.mjs", console.ToString(), screenshot);

        // assert
        Assert.True(exitCode == 0, $"console.mjs failed ({exitCode}):\n{output}\n--- host log ---\n{host.Log}");
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is missing or empty");
        File.Delete(screenshot);
    }

    [Fact]
    public async Task SlackCommands_UnsignedWhileConsoleIsOn_AreRefused()
    {
        // arrange
        await using var host = await CerberusProcess.StartAsync();
        var console = await ConsoleUrlAsync(host);
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        using var body = new StringContent("team_id=T0&channel_id=C1&user_id=U1&command=%2Fdbincident&text=start+x&trigger_id=t&response_url=http%3A%2F%2Flocalhost%2Fconsole%2Fresponse%2FR1", Encoding.UTF8, "application/x-www-form-urlencoded");
        body.Headers.Add("X-Slack-Request-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        body.Headers.Add("X-Slack-Signature", "v0=" + new string('0', 64));

        // act
        using var response = await http.PostAsync(new Uri("/slack/commands", UriKind.Relative), body);
        using var page = await http.GetAsync(console);

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("signing secret", host.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Console_WithoutItsToken_Refused401AndNotServedOnTheHostsListener()
    {
        // arrange
        await using var host = await CerberusProcess.StartAsync();
        var console = await ConsoleUrlAsync(host);
        using var http = new HttpClient { BaseAddress = new Uri(console.GetLeftPart(UriPartial.Authority)) };
        using var main = new HttpClient { BaseAddress = host.BaseUrl };
        var wrong = new string('0', 48);

        // act
        var statuses = new List<(string What, HttpStatusCode Status)>();
        foreach (var path in new[] { "/console", "/console/app.js", "/console/app.css", "/console/api/messages?since=0", "/console/api/files/F000001", $"/console?token={wrong}" })
        {
            using var get = await http.GetAsync(new Uri(path, UriKind.Relative));
            statuses.Add((path, get.StatusCode));
        }

        foreach (var path in new[] { "/console/api/command", "/console/api/click" })
        {
            using var post = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent("{\"text\":\"start x\",\"actionId\":\"a\",\"messageTs\":\"1.2\"}", Encoding.UTF8, "application/json"));
            statuses.Add((path, post.StatusCode));
        }

        using var wrongHeader = new HttpRequestMessage(HttpMethod.Get, new Uri("/console/api/messages?since=0", UriKind.Relative));
        wrongHeader.Headers.Add("X-Cerberus-Console-Token", wrong);
        statuses.Add(("header", (await http.SendAsync(wrongHeader)).StatusCode));
        using var onMain = await main.GetAsync(new Uri(console.PathAndQuery, UriKind.Relative));

        // assert
        Assert.All(statuses, s => Assert.True(s.Status == HttpStatusCode.Unauthorized, $"{s.What}: {s.Status}"));
        Assert.Equal(HttpStatusCode.NotFound, onMain.StatusCode);
        Assert.DoesNotContain("start x", host.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_InACluster_IsOffUnlessEnabled()
    {
        // arrange
        var inCluster = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1" };
        var enabled = new Dictionary<string, string>(inCluster) { ["Cerberus__Console__Enabled"] = "true" };

        // act
        Uri? off;
        string offLog;
        await using (var host = await CerberusProcess.StartAsync(inCluster))
        {
            off = await host.ConsoleUrlAsync(TimeSpan.FromSeconds(2));
            offLog = host.Log;
        }

        Uri? on;
        await using (var host = await CerberusProcess.StartAsync(enabled))
        {
            on = await host.ConsoleUrlAsync();
        }

        // assert
        Assert.Null(off);
        Assert.Contains("Local console: off, because this runs in a cluster", offLog, StringComparison.Ordinal);
        Assert.NotNull(on);
    }

    [Fact]
    public async Task Console_WithSlackConfigured_IsNotServed()
    {
        // arrange
        await using var host = await CerberusProcess.StartAsync(new Dictionary<string, string>
        {
            ["Slack__SigningSecret"] = "configured-secret-for-the-test",
            ["Slack__BotToken"] = "xoxb-test",
            ["Slack__ApiBaseUrl"] = "http://127.0.0.1:9/api/",
            ["Cerberus__Console__Enabled"] = "true",
        });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };

        // act
        using var page = await http.GetAsync(new Uri("/console", UriKind.Relative));
        using var api = await http.PostAsync(new Uri("/console/api/command", UriKind.Relative), new StringContent("{\"text\":\"start x\"}", Encoding.UTF8, "application/json"));
        var console = await host.ConsoleUrlAsync(TimeSpan.FromSeconds(2));

        // assert
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Null(console);
    }

    [Fact]
    public async Task ConsoleCommand_ThroughTheSignedPath_IsAcceptedAndAnswered()
    {
        // arrange
        await using var host = await CerberusProcess.StartAsync();
        var console = await ConsoleUrlAsync(host);
        var token = console.Query["?token=".Length..];
        using var http = new HttpClient { BaseAddress = new Uri(console.GetLeftPart(UriPartial.Authority)) };
        http.DefaultRequestHeaders.Add("X-Cerberus-Console-Token", token);

        // act
        using var command = await http.PostAsync(new Uri("/console/api/command", UriKind.Relative), new StringContent("{\"text\":\"/dbincident help\"}", Encoding.UTF8, "application/json"));
        var messages = await Eventually.Async(() => http.GetStringAsync(new Uri("/console/api/messages?since=0", UriKind.Relative)), m => m.Contains("ephemeral", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the console showed no ephemeral answer", TimeSpan.FromMilliseconds(200));

        // assert
        Assert.Equal("{\"status\":200}", await command.Content.ReadAsStringAsync());
        Assert.Contains("\"kind\":\"ephemeral\"", messages, StringComparison.Ordinal);
        Assert.Contains("declare an incident here", messages, StringComparison.Ordinal);
    }

    private static async Task<Uri> ConsoleUrlAsync(CerberusProcess host) =>
        await host.ConsoleUrlAsync() ?? throw new InvalidOperationException("the host printed no console URL:\n" + host.Log);

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(params string[] arguments)
    {
        var js = JsDirectory();
        var start = new ProcessStartInfo("node") { WorkingDirectory = js, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string JsDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cerberus.ChatOps.sln")))
        {
            dir = dir.Parent;
        }

        var js = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "js");
        Assert.True(Directory.Exists(Path.Combine(js, "node_modules", "playwright-core")), $"{js}/node_modules/playwright-core is missing: run `npm ci` in tests/js (./test.sh does).");
        Assert.True(File.Exists("/usr/bin/chromium"), "/usr/bin/chromium is missing: apt-get install -y chromium (.ci/run installs it).");
        return js;
    }
}
