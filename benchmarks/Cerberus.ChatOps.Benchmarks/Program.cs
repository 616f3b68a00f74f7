using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Benchmarks;
using Cerberus.ChatOps.Tests.Support.Host;
using Cerberus.ChatOps.Tests.Support.Slack;

// Figures, side by side in one run, against the real host process (see docs/benchmarks.md for the method).
const string Secret = "benchmark-signing-secret";
const string Approver = "U0BENCHAPPROVER";
const string Commander = "U0BENCHIC";
const int Concurrency = 16;
var table = new ResultTable();
var lab = new Lab();
var signer = new SlackRequestSigner(Secret);
await using var slack = await FakeSlackServer.StartAsync();
var storeDir = Directory.CreateTempSubdirectory("cerberus-bench-").FullName;
var actionTs = 0;

Dictionary<string, string> Env(string store, Dictionary<string, string> backends)
{
    var env = new Dictionary<string, string>(backends, StringComparer.Ordinal)
    {
        ["Slack__SigningSecret"] = Secret,
        ["Slack__BotToken"] = "xoxb-benchmark",
        ["Slack__AllowedTeamIds__0"] = SlackRequestSigner.TeamId,
        ["Slack__ApiBaseUrl"] = slack.ApiBaseUrl,
        ["Slack__TestAllowedUrlBase"] = slack.BaseUrl.ToString(),
        ["Cerberus__Store__Provider"] = "Sqlite",
        ["Cerberus__Store__ConnectionString"] = "Data Source=" + Path.Combine(storeDir, store),
        ["Cerberus__Kubernetes__Enabled"] = "false",
        ["Cerberus__Approvers__0"] = Approver,
        ["Cerberus__TimerInterval"] = "00:00:01",
        ["Serilog__MinimumLevel__Default"] = "Warning",
    };
    return env;
}

HttpRequestMessage Command(string text, string channel) =>
    signer.SignedPost("/slack/commands", signer.SlashCommandBody(text, user: Commander, channel: channel, responseUrl: slack.NewResponseUrl()));

HttpRequestMessage Click(string actionId, string value, string user, string channel)
{
    var ts = "1700000001." + Interlocked.Increment(ref actionTs).ToString("D6", CultureInfo.InvariantCulture);
    var payload = SlackRequestSigner.BlockActionPayload(actionId, value, user, ts, channel);
    payload["response_url"] = slack.NewResponseUrl();
    return signer.BlockAction(payload);
}

static string Text(FakeSlackMessage m) => m.Text + (m.Blocks?.ToJsonString() ?? string.Empty);

async Task<FakeSlackMessage> WaitMessageAsync(Func<FakeSlackMessage, bool> match, TimeSpan limit)
{
    var deadline = DateTime.UtcNow + limit;
    while (true)
    {
        if (slack.Messages.FirstOrDefault(match) is { } found)
        {
            return found;
        }

        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException("a message did not arrive within " + limit);
        }

        await Task.Delay(5);
    }
}

static async Task SendAsync(HttpClient http, HttpRequestMessage request)
{
    using (request)
    {
        using var response = await http.SendAsync(request);
        if ((int)response.StatusCode >= 300)
        {
            throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}");
        }
    }
}

static async Task<List<double>> LoadAsync(HttpClient http, Func<HttpRequestMessage> make, int count)
{
    var samples = new List<double>(count);
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            var request = make();
            var watch = Stopwatch.StartNew();
            await SendAsync(http, request);
            var ms = watch.Elapsed.TotalMilliseconds;
            lock (samples)
            {
                samples.Add(ms);
            }
        }
    }));
    return samples;
}

async Task<double> StartToDiagnosticsAsync(HttpClient http, string channel)
{
    var watch = Stopwatch.StartNew();
    await SendAsync(http, Command("start benchmark " + channel, channel));
    await WaitMessageAsync(m => m.Channel == channel && Text(m).Contains("Diagnostics:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
    return watch.Elapsed.TotalMilliseconds;
}

var hosts = new List<CerberusHostProcess>();
try
{
    // 1. Start-up to ready (fresh store, then twice on the migrated store) and idle RSS.
    var startups = new List<double>();
    CerberusHostProcess host = null!;
    for (var i = 0; i < 3; i++)
    {
        host = await CerberusHostProcess.StartAsync(Env("lab.db", lab.HostEnvironment()), TimeSpan.FromSeconds(60));
        startups.Add(host.StartupTime.TotalMilliseconds);
        if (i < 2)
        {
            await host.DisposeAsync();
        }
    }

    hosts.Add(host);
    table.Add("start-up to /readyz 200 (fresh store; then median of 3)", $"{ResultTable.Ms(startups[0])}; {ResultTable.Ms(new Percentiles(startups).P50)}");
    await Task.Delay(3000);
    var rssIdle = host.ResidentKilobytes();
    table.Add("RSS idle (VmRSS)", $"{rssIdle / 1024.0:0.0} MiB");

    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = host.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    // 2. start → diagnostics message, lab healthy.
    var healthy = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        healthy.Add(await StartToDiagnosticsAsync(http, "CBENCHDIAG" + i.ToString(CultureInfo.InvariantCulture)));
    }

    var hp = new Percentiles(healthy);
    table.Add("start → diagnostics message, lab healthy (median / max of 5)", $"{ResultTable.Seconds(hp.P50)} / {ResultTable.Seconds(hp.Max)}", "< 3 s", hp.Max < 3000);

    // 3. Failover end to end: approval click → verification message; beside Patroni's own switchover.
    const string failChannel = "CBENCHFAILOVER";
    var (leader, timeline, replica) = await lab.WaitSettledAsync(TimeSpan.FromSeconds(90));
    await SendAsync(http, Command("start benchmark failover", failChannel));
    var diag = await WaitMessageAsync(m => m.Channel == failChannel && Text(m).Contains("Diagnostics:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
    var incidentId = System.Text.RegularExpressions.Regex.Match(Text(diag), @"INC-\d{4}-\d+").Value;
    await SendAsync(http, Click("cerberus.propose", incidentId + "|switchover", Commander, failChannel));
    string? approveValue = null;
    await WaitMessageAsync(m => m.Channel == failChannel && (approveValue = Buttons(m).FirstOrDefault(x => x.Id == "cerberus.approve").Value) is not null, TimeSpan.FromSeconds(60));
    var botWatch = Stopwatch.StartNew();
    await SendAsync(http, Click("cerberus.approve", approveValue!, Approver, failChannel));
    await WaitMessageAsync(m => m.Channel == failChannel && Text(m).Contains("done:", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
    var botDone = botWatch.Elapsed.TotalMilliseconds;
    var verified = await WaitMessageAsync(m => m.Channel == failChannel && (Text(m).Contains(":white_check_mark: Verified", StringComparison.Ordinal) || Text(m).Contains("Verification failed", StringComparison.Ordinal)), TimeSpan.FromSeconds(120));
    var botVerified = botWatch.Elapsed.TotalMilliseconds;
    var verifiedOk = Text(verified).Contains(":white_check_mark: Verified", StringComparison.Ordinal);
    var after = await lab.WaitSettledAsync(TimeSpan.FromSeconds(90));
    var botTimelines = after.Timeline - timeline;

    var patroniWatch = Stopwatch.StartNew();
    var status = await lab.SwitchoverAsync(after.Leader, after.Replica);
    var patroniPost = patroniWatch.Elapsed.TotalMilliseconds;
    while (true)
    {
        var now = await lab.ClusterAsync();
        if (now.Settled && now.Leader == after.Replica && now.Timeline == after.Timeline + 1)
        {
            break;
        }

        if (patroniWatch.Elapsed > TimeSpan.FromSeconds(120))
        {
            throw new TimeoutException("Patroni's own switchover did not settle");
        }

        await Task.Delay(20);
    }

    var patroniSettled = patroniWatch.Elapsed.TotalMilliseconds;
    table.Add("Patroni direct POST /switchover: answer / new leader + old one replicating", $"{ResultTable.Seconds(patroniPost)} / {ResultTable.Seconds(patroniSettled)} (HTTP {status})");
    table.Add("bot: approval click → \"done\" message", ResultTable.Seconds(botDone));
    table.Add($"bot: approval click → verification message ({(verifiedOk ? "verified" : "FAILED")}, {botTimelines} timeline step)", ResultTable.Seconds(botVerified),
        "≤ Patroni + 2 s", verifiedOk && botVerified - patroniSettled <= 2000);
    table.Add("bot − Patroni (verified vs settled)", ResultTable.Seconds(botVerified - patroniSettled));
    _ = leader;
    _ = replica;

    // 4. Acknowledgement latency at 16 connections, interleaved rounds beside /healthz.
    var answersBefore = slack.ResponsePosts.Count;
    HttpRequestMessage Health() => new(HttpMethod.Get, "/healthz");
    HttpRequestMessage Help() => Command("help", "CBENCHACK");
    HttpRequestMessage Button() => Click("cerberus.diagnose", "INC-1999-0001", "U0BENCHUSER", "CBENCHACK");
    await LoadAsync(http, Health, 300);
    await LoadAsync(http, Help, 300);
    await LoadAsync(http, Button, 300);
    var ackWatch = Stopwatch.StartNew();
    var health = new List<double>();
    var commands = new List<double>();
    var clicks = new List<double>();
    for (var round = 0; round < 3; round++)
    {
        health.AddRange(await LoadAsync(http, Health, 600));
        commands.AddRange(await LoadAsync(http, Help, 600));
        clicks.AddRange(await LoadAsync(http, Button, 600));
    }

    var h = new Percentiles(health);
    var c = new Percentiles(commands);
    var b = new Percentiles(clicks);
    table.Add("/healthz p50 / p99 (16 conn, n=1800)", $"{ResultTable.Ms(h.P50)} / {ResultTable.Ms(h.P99)}");
    table.Add("slash command ack p50 / p99 (16 conn, n=1800)", $"{ResultTable.Ms(c.P50)} / {ResultTable.Ms(c.P99)}", "p99 < 100 ms", c.P99 < 100);
    table.Add("button click ack p50 / p99 (16 conn, n=1800)", $"{ResultTable.Ms(b.P50)} / {ResultTable.Ms(b.P99)}", "p99 < 100 ms", b.P99 < 100);
    table.Add("command p99 / healthz p99", $"{c.P99 / h.P99:0.00}×", "≤ 3×", c.P99 / h.P99 <= 3);
    ackWatch.Stop();
    table.Add("click p99 / healthz p99", $"{b.P99 / h.P99:0.00}×", "≤ 3×", b.P99 / h.P99 <= 3);

    // Let the engine answer the backlog (one response_url post per request) before the next figure.
    var expectedAnswers = 300 + 300 + (3 * 600 * 2);
    var drain = Stopwatch.StartNew();
    while (slack.ResponsePosts.Count - answersBefore < expectedAnswers && drain.Elapsed < TimeSpan.FromSeconds(120))
    {
        await Task.Delay(100);
    }

    var answered = slack.ResponsePosts.Count - answersBefore;
    table.Add($"engine answered {answered}/{expectedAnswers} ack-phase requests", $"all within {ResultTable.Seconds(drain.Elapsed.TotalMilliseconds)} after the load ended");

    // 5. RSS after 100 incidents (each in its own channel, each running the diagnostics against the lab).
    var hundred = Enumerable.Range(0, 100).Select(i => "CBENCH100X" + i.ToString(CultureInfo.InvariantCulture)).ToList();
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next) - 1) < hundred.Count)
        {
            await SendAsync(http, Command("start benchmark load " + i.ToString(CultureInfo.InvariantCulture), hundred[i]));
        }
    }));
    var loadWatch = Stopwatch.StartNew();
    while (slack.Messages.Where(m => m.Channel.StartsWith("CBENCH100X", StringComparison.Ordinal) && Text(m).Contains("Diagnostics:", StringComparison.Ordinal)).Select(m => m.Channel).Distinct().Count() < hundred.Count
           && loadWatch.Elapsed < TimeSpan.FromSeconds(180))
    {
        await Task.Delay(100);
    }

    var diagnosed = slack.Messages.Where(m => m.Channel.StartsWith("CBENCH100X", StringComparison.Ordinal) && Text(m).Contains("Diagnostics:", StringComparison.Ordinal)).Select(m => m.Channel).Distinct().Count();
    await Task.Delay(2000);
    var rss100 = host.ResidentKilobytes();
    table.Add($"RSS after 100 more incidents ({diagnosed}/100 diagnosed in {loadWatch.Elapsed.TotalSeconds:0.0} s)", $"{rss100 / 1024.0:0.0} MiB (+{(rss100 - rssIdle) / 1024.0:0.0})");

    // 6. start → diagnostics message with PostgreSQL and Patroni hung (a second host pointed at sockets that never answer).
    await using (var hungPg = new Cerberus.ChatOps.Tests.Support.HungServer())
    await using (var hungPatroni1 = new Cerberus.ChatOps.Tests.Support.HungServer())
    await using (var hungPatroni2 = new Cerberus.ChatOps.Tests.Support.HungServer())
    {
        var backends = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Cerberus__Postgres__ConnectionString"] = $"Host=127.0.0.1;Port={hungPg.Port};Username=cerberus_monitor;Password=x;Database=cerberus",
            ["Cerberus__Patroni__Urls__0"] = hungPatroni1.Url.ToString(),
            ["Cerberus__Patroni__Urls__1"] = hungPatroni2.Url.ToString(),
            ["Cerberus__Patroni__Username"] = "x",
            ["Cerberus__Patroni__Password"] = "y",
        };
        await using var hungHost = await CerberusHostProcess.StartAsync(Env("hung.db", backends), TimeSpan.FromSeconds(60));
        using var hungHttp = new HttpClient { BaseAddress = hungHost.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var hung = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            hung.Add(await StartToDiagnosticsAsync(hungHttp, "CBENCHHUNG" + i.ToString(CultureInfo.InvariantCulture)));
        }

        var hh = new Percentiles(hung);
        table.Add("start → diagnostics message, PostgreSQL + Patroni hung (median / max of 3)", $"{ResultTable.Seconds(hh.P50)} / {ResultTable.Seconds(hh.Max)}", "< 15 s", hh.Max < 15000);
    }

    await lab.WaitSettledAsync(TimeSpan.FromSeconds(90));
}
finally
{
    foreach (var h in hosts)
    {
        await h.DisposeAsync();
    }

    try
    {
        Directory.Delete(storeDir, recursive: true);
    }
    catch (IOException)
    {
    }
}

Console.WriteLine();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {MemTotal()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; .NET {Environment.Version}");
table.Print(Console.Out);
return 0;

static string MemTotal() =>
    File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
        ? $"{long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024 / 1024.0:0.0} GiB RAM"
        : "memory unknown";

static IEnumerable<(string Id, string Value)> Buttons(FakeSlackMessage message)
{
    foreach (var block in message.Blocks as JsonArray ?? [])
    {
        foreach (var element in block?["elements"] as JsonArray ?? [])
        {
            if (element?["action_id"]?.GetValue<string>() is { } id && element["value"]?.GetValue<string>() is { } v)
            {
                yield return (id, v);
            }
        }
    }
}
