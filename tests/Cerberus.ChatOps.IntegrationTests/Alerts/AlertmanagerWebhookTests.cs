using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Cerberus.ChatOps.IntegrationTests.Faults;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Host;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Alerts;

/// <summary>
/// Debian's prometheus-alertmanager, a real client of the webhook: an alert posted to its API is grouped, sent to
/// the running bot with the bearer token, and declares an incident whose diagnostics run against the lab; the
/// resolution Alertmanager sends is noted and leaves the incident open.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class AlertmanagerWebhookTests(LabFixture fixture, ITestOutputHelper output)
{
    private const string Token = "alertmanager-lab-token-0123456789abcdef";
    private const string Binary = "/usr/bin/prometheus-alertmanager";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Alertmanager_FiringThenResolvedAlert_DeclaresWithDiagnosticsAndNotesTheResolution()
    {
        // arrange
        Assert.True(File.Exists(Binary), $"{Binary} is missing: apt-get install prometheus-alertmanager (.ci/run installs it)");
        await using var bot = await FaultHost.CreateAsync(fixture.Lab, new Dictionary<string, string>
        {
            ["Cerberus__Alerts__BearerToken"] = Token,
            ["Cerberus__Alerts__Channel"] = FaultHost.Channel,
        });
        var dir = Directory.CreateTempSubdirectory("cerberus-alertmanager-").FullName;
        var port = CerberusHostProcess.FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "alertmanager.yml"), $$"""
            route:
              receiver: cerberus
              group_by: [alertname]
              group_wait: 1s
              group_interval: 2s
              repeat_interval: 1h
            receivers:
              - name: cerberus
                webhook_configs:
                  - url: {{new Uri(bot.Host!.BaseUrl, "/alerts/alertmanager")}}
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials: {{Token}}
            """);
        using var alertmanager = Process.Start(new ProcessStartInfo(Binary)
        {
            ArgumentList =
            {
                "--config.file=" + Path.Combine(dir, "alertmanager.yml"), "--storage.path=" + Path.Combine(dir, "data"),
                $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = new StringBuilder();
        alertmanager.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        alertmanager.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        alertmanager.BeginErrorReadLine();
        alertmanager.BeginOutputReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Eventually.Async(async () => (await TryGetAsync(http, "/-/ready")) == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "alertmanager did not become ready", TimeSpan.FromMilliseconds(200));
            var startsAt = DateTimeOffset.UtcNow.AddMinutes(-3);

            // act: the alert fires, then resolves (endsAt in the past)
            await PostAlertAsync(http, startsAt, endsAt: null);
            var header = await bot.WaitForTextAsync("[alert] PostgresPrimaryDown: the primary does not answer", Step);
            await bot.WaitForTextAsync("Declared from Alertmanager (receiver `cerberus`)", Step);
            await bot.WaitForTextAsync("Diagnostics:", Step);
            await PostAlertAsync(http, startsAt, endsAt: DateTimeOffset.UtcNow.AddSeconds(-1));
            await bot.WaitForTextAsync("*PostgresPrimaryDown* resolved", Step);

            // assert
            output.WriteLine(header.Text);
            Assert.Equal(1, await bot.CountAsync("SELECT count(*) FROM incidents"));
            var id = System.Text.RegularExpressions.Regex.Match(header.Text + FaultHost.BlocksText(header), @"INC-\d{4}-\d{4}").Value;
            var document = await bot.DocumentAsync(id);
            Assert.Equal("alertmanager", document["DeclaredBy"]?.GetValue<string>());
            Assert.NotEqual("Resolved", document["State"]?.GetValue<string>());
            var detected = DateTimeOffset.Parse(document["DetectedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            Assert.True(Math.Abs((detected - startsAt).TotalSeconds) < 1, $"detected {detected:O}, alert started {startsAt:O}");
            Assert.Equal("resolved", document["Alerts"]![0]!["Status"]?.GetValue<string>());
        }
        finally
        {
            alertmanager.Kill(entireProcessTree: true);
            await alertmanager.WaitForExitAsync();
            lock (log)
            {
                output.WriteLine(log.ToString());
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task PostAlertAsync(HttpClient http, DateTimeOffset startsAt, DateTimeOffset? endsAt)
    {
        var ends = endsAt is { } e ? $",\"endsAt\":\"{e:yyyy-MM-ddTHH:mm:ss.fffZ}\"" : string.Empty;
        var body = $$"""
            [{"labels":{"alertname":"PostgresPrimaryDown","cluster":"lab","severity":"critical"},
              "annotations":{"summary":"the primary does not answer"},
              "startsAt":"{{startsAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}"{{ends}},
              "generatorURL":"http://prometheus.example:9090/graph?g0.expr=pg_up%3D%3D0"}]
            """;
        using var response = await http.PostAsync(new Uri("/api/v2/alerts", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
