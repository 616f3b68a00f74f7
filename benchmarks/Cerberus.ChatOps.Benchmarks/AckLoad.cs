using System.Diagnostics;
using System.Globalization;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.Benchmarks;

/// <summary>
/// Acknowledgement latency of one host, beside its own <c>/healthz</c> in the same run: 16 keep-alive connections,
/// each timing one request at a time from send to the end of the response. Five kinds, in interleaved rounds so that
/// noise hits all alike: <c>/healthz</c>; unique slash commands (<c>/dbincident help</c>, a new trigger_id each, so
/// every ack stores a row and the engine answers each); the same signed command again and again (the dedupe path);
/// unique block_actions clicks; one click repeated. Then a burst of 1 000 distinct commands sent at once on their own
/// connections (Slack's 3 s deadline).
/// </summary>
internal sealed class AckLoad(HttpClient http, SlackRequestSigner signer, FakeSlackServer slack, string channel)
{
    public const int Concurrency = 16;
    public const int BurstSize = 1000;
    private const int Warmup = 300;
    private const int PerRound = 600;
    private const int Rounds = 3;
    private int _actionTs;
    private int _uniqueSent;

    public Dictionary<string, Percentiles> Kinds { get; } = new(StringComparer.Ordinal);

    public Percentiles? Burst { get; private set; }

    public int BurstFailures { get; private set; }

    /// <summary>Distinct requests acknowledged (each answered once by the engine through response_url).</summary>
    public int Distinct => _uniqueSent - BurstFailures + 2;

    public async Task RunAsync()
    {
        var repeatedCommand = signer.SlashCommandBody("help", user: "U0BENCHUSER", channel: channel, responseUrl: slack.NewResponseUrl());
        var repeatedClick = SlackRequestSigner.InteractionBody(ClickPayload());
        var kinds = new (string Name, Func<HttpRequestMessage> Make)[]
        {
            ("/healthz", () => new HttpRequestMessage(HttpMethod.Get, "/healthz")),
            ("command, unique", () => Unique(signer.SignedPost("/slack/commands", signer.SlashCommandBody("help", user: "U0BENCHUSER", channel: channel, responseUrl: slack.NewResponseUrl())))),
            ("command, repeated", () => signer.SignedPost("/slack/commands", repeatedCommand)),
            ("click, unique", () => Unique(signer.SignedPost("/slack/interactions", SlackRequestSigner.InteractionBody(ClickPayload())))),
            ("click, repeated", () => signer.SignedPost("/slack/interactions", repeatedClick)),
        };
        foreach (var (_, make) in kinds)
        {
            await LoadAsync(make, Warmup);
        }

        var samples = kinds.ToDictionary(k => k.Name, _ => new List<double>(), StringComparer.Ordinal);
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, make) in kinds)
            {
                samples[name].AddRange(await LoadAsync(make, PerRound));
            }
        }

        foreach (var (name, list) in samples)
        {
            Kinds[name] = new Percentiles(list);
        }

        await BurstAsync();
    }

    /// <summary>Waits until the engine answered every distinct request; returns how many it answered and how long it took.</summary>
    public async Task<(int Answered, TimeSpan Took)> DrainAsync(int answersBefore, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (slack.ResponsePosts.Count - answersBefore < Distinct && watch.Elapsed < limit)
        {
            await Task.Delay(100);
        }

        return (slack.ResponsePosts.Count - answersBefore, watch.Elapsed);
    }

    private async Task BurstAsync()
    {
        using var burstHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = BurstSize, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = http.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var requests = Enumerable.Range(0, BurstSize)
            .Select(i => Unique(signer.SignedPost("/slack/commands", signer.SlashCommandBody("help", user: "U0BENCHUSER", channel: channel + "B" + (i % 20).ToString(CultureInfo.InvariantCulture), responseUrl: slack.NewResponseUrl()))))
            .ToList();
        var failures = 0;
        var times = await Task.WhenAll(requests.Select(async request =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                using (request)
                using (var response = await burstHttp.SendAsync(request))
                {
                    // A stored command is answered 200 with an empty body; one the store could not record gets an
                    // ephemeral text (a 200 too, as Slack advises), which is a failure here.
                    if (!response.IsSuccessStatusCode || (await response.Content.ReadAsByteArrayAsync()).Length > 0)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref failures);
            }

            return watch.Elapsed.TotalMilliseconds;
        }));
        Burst = new Percentiles(times);
        BurstFailures = failures;
    }

    private HttpRequestMessage Unique(HttpRequestMessage request)
    {
        Interlocked.Increment(ref _uniqueSent);
        return request;
    }

    private System.Text.Json.Nodes.JsonObject ClickPayload()
    {
        var ts = "1700000001." + Interlocked.Increment(ref _actionTs).ToString("D6", CultureInfo.InvariantCulture);
        var payload = SlackRequestSigner.BlockActionPayload("cerberus.diagnose", "INC-1999-0001", "U0BENCHUSER", ts, channel);
        payload["response_url"] = slack.NewResponseUrl();
        return payload;
    }

    private async Task<List<double>> LoadAsync(Func<HttpRequestMessage> make, int count)
    {
        var samples = new List<double>(count);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                var request = make();
                var watch = Stopwatch.StartNew();
                using (request)
                using (var response = await http.SendAsync(request))
                {
                    if ((int)response.StatusCode >= 300)
                    {
                        throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}");
                    }

                    if (request.RequestUri!.OriginalString.StartsWith("/slack/", StringComparison.Ordinal) && (await response.Content.ReadAsByteArrayAsync()).Length > 0)
                    {
                        throw new InvalidOperationException($"{request.RequestUri} was not recorded: {await response.Content.ReadAsStringAsync()}");
                    }
                }

                var ms = watch.Elapsed.TotalMilliseconds;
                lock (samples)
                {
                    samples.Add(ms);
                }
            }
        }));
        return samples;
    }
}
