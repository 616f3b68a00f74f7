using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Benchmarks;
using Cerberus.ChatOps.Tests.Support.Host;
using Cerberus.ChatOps.Tests.Support.Slack;

// Figures, side by side in one run, against the real host process (see docs/benchmarks.md for the method).
// `ack` as the first argument runs only the acknowledgement figures (both stores).
var acksOnly = args.Length > 0 && args[0] == "ack";
const string Secret = "benchmark-signing-secret";
const string Approver = "U0BENCHAPPROVER";
const string Commander = "U0BENCHIC";
var table = new ResultTable();
var lab = new Lab();
var signer = new SlackRequestSigner(Secret);
await using var slack = await FakeSlackServer.StartAsync();
var storeDir = Directory.CreateTempSubdirectory("cerberus-bench-").FullName;
var actionTs = 0;

Dictionary<string, string> Env(string store, Dictionary<string, string> backends, string? postgresStore = null)
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

        // One benchmark user declares 106 incidents and asks for thousands of diagnoses: past the per-user limits.
        ["Cerberus__RateLimit__StartsPerUser"] = "1000",
        ["Cerberus__RateLimit__DiagnosesPerUser"] = "1000",
    };
    if (postgresStore is not null)
    {
        env["Cerberus__Store__Provider"] = "Postgres";
        env["Cerberus__Store__ConnectionString"] = postgresStore;
    }

    return env;
}

HttpRequestMessage Command(string text, string channel) =>
    signer.SignedPost("/slack/commands", signer.SlashCommandBody(text, user: Commander, channel: channel, responseUrl: slack.NewResponseUrl()));

HttpRequestMessage Click(string actionId, string value, string user, string channel, string messageTs)
{
    var ts = "1700000001." + Interlocked.Increment(ref actionTs).ToString("D6", CultureInfo.InvariantCulture);
    var payload = SlackRequestSigner.BlockActionPayload(actionId, value, user, ts, channel, messageTs);
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

async Task<double> StartToDiagnosticsAsync(HttpClient http, string channel)
{
    var watch = Stopwatch.StartNew();
    await SendAsync(http, Command("start benchmark " + channel, channel));
    await WaitMessageAsync(m => m.Channel == channel && Text(m).Contains("Diagnostics:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
    return watch.Elapsed.TotalMilliseconds;
}

async Task AckFiguresAsync(string store, CerberusHostProcess ackHost)
{
    using var ackHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = AckLoad.Concurrency }) { BaseAddress = ackHost.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    var answersBefore = slack.ResponsePosts.Count;
    var load = new AckLoad(ackHttp, signer, slack, "CBENCHACK" + store.ToUpperInvariant());
    await load.RunAsync();
    var health = load.Kinds["/healthz"];
    table.Add($"{store}: /healthz p50 / p99 (16 conn, n={health.Count})", $"{ResultTable.Ms(health.P50)} / {ResultTable.Ms(health.P99)}");
    foreach (var (kind, p) in load.Kinds.Where(k => k.Key != "/healthz"))
    {
        var ratio = p.P99 / health.P99;
        table.Add($"{store}: {kind} ack p50 / p99 (n={p.Count})", $"{ResultTable.Ms(p.P50)} / {ResultTable.Ms(p.P99)} ({ratio:0.0}× /healthz)",
            "p99 ≤ 2× /healthz and ≤ 5 ms", ratio <= 2 && p.P99 <= 5);
    }

    var burst = load.Burst!;
    table.Add($"{store}: burst of {AckLoad.BurstSize} distinct commands at once, p50 / p99 / max", $"{ResultTable.Ms(burst.P50)} / {ResultTable.Ms(burst.P99)} / {ResultTable.Ms(burst.Max)}, {load.BurstFailures} failed",
        "every ack < 3 s", burst.Max < 3000 && load.BurstFailures == 0);
    var (answered, took) = await load.DrainAsync(answersBefore, TimeSpan.FromSeconds(240));
    table.Add($"{store}: engine answered {answered}/{load.Distinct} distinct requests", $"all within {ResultTable.Seconds(took.TotalMilliseconds)} after the load ended");
}

async Task<string> PostgresStoreAsync()
{
    var name = "cerberus_bench_store_" + Guid.NewGuid().ToString("N")[..8];
    await using (var admin = new Npgsql.NpgsqlConnection(lab.Admin))
    {
        await admin.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
    }

    return new Npgsql.NpgsqlConnectionStringBuilder(lab.Admin) { Database = name }.ConnectionString;
}

var hosts = new List<CerberusHostProcess>();
try
{
    if (acksOnly)
    {
        await using (var sqliteHost = await CerberusHostProcess.StartAsync(Env("ack.db", lab.HostEnvironment()), TimeSpan.FromSeconds(60)))
        {
            await AckFiguresAsync("SQLite", sqliteHost);
        }

        await using var postgresHost = await CerberusHostProcess.StartAsync(Env("unused.db", lab.HostEnvironment(), await PostgresStoreAsync()), TimeSpan.FromSeconds(60));
        await AckFiguresAsync("PostgreSQL", postgresHost);
        return Print();
    }

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

    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = AckLoad.Concurrency }) { BaseAddress = host.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

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
    var (_, timeline, _) = await lab.WaitSettledAsync(TimeSpan.FromSeconds(90));
    await SendAsync(http, Command("start benchmark failover", failChannel));
    var diag = await WaitMessageAsync(m => m.Channel == failChannel && Text(m).Contains("Diagnostics:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
    var incidentId = System.Text.RegularExpressions.Regex.Match(Text(diag), @"INC-\d{4}-\d+").Value;

    // The diagnostics message offers the switchover when the findings call for it; on a healthy lab, the command asks.
    var propose = Buttons(diag).FirstOrDefault(b => b.Id == "cerberus.propose" && b.Value == incidentId + "|switchover");
    await SendAsync(http, propose.Value is not null
        ? Click(propose.Id, propose.Value, Commander, failChannel, diag.Ts)
        : Command("propose switchover", failChannel));
    string? approveValue = null;
    var card = await WaitMessageAsync(m => m.Channel == failChannel && (approveValue = Buttons(m).FirstOrDefault(x => x.Id == "cerberus.approve" && x.Value.StartsWith(incidentId + "|", StringComparison.Ordinal)).Value) is not null, TimeSpan.FromSeconds(60));
    var botWatch = Stopwatch.StartNew();
    await SendAsync(http, Click("cerberus.approve", approveValue!, Approver, failChannel, card.Ts));
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

    // 4. Acknowledgement latency, SQLite store (this host), beside /healthz.
    await AckFiguresAsync("SQLite", host);

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

    // 7. Acknowledgement latency, PostgreSQL store (a host of its own on the lab's standalone server).
    await host.DisposeAsync();
    hosts.Remove(host);
    await using var pgHost = await CerberusHostProcess.StartAsync(Env("unused.db", lab.HostEnvironment(), await PostgresStoreAsync()), TimeSpan.FromSeconds(60));
    await AckFiguresAsync("PostgreSQL", pgHost);
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

return Print();

int Print()
{
    Console.WriteLine();
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {MemTotal()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; .NET {Environment.Version}");
    table.Print(Console.Out);
    return 0;
}

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
