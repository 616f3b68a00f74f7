using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.IntegrationTests.Faults;

/// <summary>
/// A seeded fuzz run against the three /slack routes of the real host: malformed, forged, tampered, stale, oversized,
/// wrong-content-type, truncated, random-byte and validly signed junk requests. No 5xx, the process lives, and only
/// the valid requests reach the inbox.
/// </summary>
public sealed class SlackFuzzTests
{
    private const int Seed = 20261126;
    private const int Requests = 3000;
    private static readonly string[] Routes = ["/slack/commands", "/slack/interactions", "/slack/events"];

    [Fact]
    public async Task SlackRoutes_ThreeThousandHostileRequests_NoServerErrorNoCrashOnlyValidOnesInTheInbox()
    {
        // arrange
        await using var faults = await FaultHost.CreateAsync(lab: null);
        var random = new Random(Seed);
        var requests = new List<(string Kind, Func<HttpRequestMessage> Build)>();
        var valid = 0;
        for (var i = 0; i < Requests; i++)
        {
            if (i % 100 == 0)
            {
                requests.Add(("valid", ValidRequest(faults, i)));
                valid++;
                continue;
            }

            requests.Add(HostileRequest(faults, random, i));
        }

        // act
        var results = new List<(string Kind, HttpStatusCode Status)>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        foreach (var chunk in requests.Chunk(16))
        {
            var statuses = await Task.WhenAll(chunk.Select(r => faults.SendAsync(r.Build())));
            results.AddRange(chunk.Select((r, j) => (r.Kind, statuses[j])));
            Assert.True(DateTime.UtcNow < deadline, "the fuzz run took too long");
        }

        await WaitInboxDoneAsync(faults, valid);
        using var http = new HttpClient { BaseAddress = faults.Host!.BaseUrl };
        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        // assert
        Assert.Empty(results.Where(r => (int)r.Status >= 500).Select(r => $"{r.Kind}: {(int)r.Status}"));
        Assert.All(results.Where(r => r.Kind == "valid"), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(results.Where(r => r.Kind != "valid"), r => Assert.True((int)r.Status is >= 400 and < 500 || r.Kind == "ssl_check", $"{r.Kind} got {(int)r.Status}"));
        Assert.False(faults.Host.HasExited);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(valid, await faults.CountAsync("SELECT COUNT(*) FROM inbox"));
    }

    private static Task WaitInboxDoneAsync(FaultHost faults, int expected) =>
        Eventually.Async(() => faults.CountAsync("SELECT COUNT(*) FROM inbox"), stored => stored >= expected, TimeSpan.FromSeconds(30),
            $"the inbox did not hold the {expected} valid requests", TimeSpan.FromMilliseconds(100));

    private static Func<HttpRequestMessage> ValidRequest(FaultHost faults, int i) => (i / 100 % 3) switch
    {
        0 => () => faults.Signer.SignedPost("/slack/commands", faults.Signer.SlashCommandBody("help", user: FaultHost.Commander, channel: FaultHost.Channel, responseUrl: faults.Slack.NewResponseUrl())),
        1 => () => faults.Signer.Event(SlackRequestSigner.EventCallback("Ev0FUZZ" + i.ToString(CultureInfo.InvariantCulture))),
        _ => () => faults.Click("cerberus.diagnose", "INC-1999-0001", FaultHost.Stranger),
    };

    private static (string Kind, Func<HttpRequestMessage> Build) HostileRequest(FaultHost faults, Random random, int i)
    {
        var route = Routes[random.Next(Routes.Length)];
        var contentType = route == "/slack/events" ? "application/json" : "application/x-www-form-urlencoded";
        var good = route switch
        {
            "/slack/commands" => faults.Signer.SlashCommandBody("start fuzz " + i.ToString(CultureInfo.InvariantCulture), user: FaultHost.Commander, channel: FaultHost.Channel),
            "/slack/interactions" => SlackRequestSigner.InteractionBody(SlackRequestSigner.BlockActionPayload("cerberus.approve", "INC-2026-0001|A-1", FaultHost.Approver)),
            _ => SlackRequestSigner.EventCallback("Ev0HOSTILE" + i.ToString(CultureInfo.InvariantCulture)).ToJsonString(),
        };
        var secret = "fault-suite-signing-secret";
        var ts = faults.Signer.Now();
        var kind = random.Next(11);
        switch (kind)
        {
            case 0:
                {
                    var bytes = RandomBytes(random, random.Next(0, 4096));
                    return ("random-bytes-unsigned", () => Raw(route, bytes, contentType, ts, "v0=" + Convert.ToHexStringLower(RandomBytes(random, 32))));
                }

            case 1:
                {
                    var signature = "v0=" + Convert.ToHexStringLower(RandomBytes(random, 32));
                    return ("forged", () => faults.Signer.SignedPost(route, good, contentType, signature: signature));
                }

            case 2:
                {
                    var signature = SlackRequestSigner.Sign(secret, ts, good);
                    var tampered = Tamper(random, good);
                    return ("tampered", () => faults.Signer.SignedPost(route, tampered, contentType, ts, signature));
                }

            case 3:
                {
                    var stale = (long.Parse(ts, CultureInfo.InvariantCulture) + (random.Next(2) == 0 ? -1 : 1) * random.Next(301, 100_000)).ToString(CultureInfo.InvariantCulture);
                    return ("stale", () => faults.Signer.SignedPost(route, good, contentType, stale, SlackRequestSigner.Sign(secret, stale, good)));
                }

            case 4:
                {
                    var big = good + "&x=" + new string('a', 65_536 + random.Next(200_000));
                    return ("oversized", () => faults.Signer.SignedPost(route, big, contentType));
                }

            case 5:
                {
                    var wrong = new[] { "text/plain", "application/xml", "text/html", route == "/slack/events" ? "application/x-www-form-urlencoded" : "application/json" }[random.Next(4)];
                    return ("content-type", () => faults.Signer.SignedPost(route, good, wrong));
                }

            case 6:
                {
                    var cut = good[..random.Next(Math.Max(1, good.Length - 1))];
                    return ("truncated", () => faults.Signer.SignedPost(route, cut, contentType, ts, SlackRequestSigner.Sign(secret, ts, good)));
                }

            case 7:
                {
                    var junk = Encoding.Latin1.GetString(RandomBytes(random, random.Next(1, 2048)));
                    return ("signed-random-bytes", () => faults.Signer.SignedPost(route, junk, contentType));
                }

            case 8:
                {
                    var junk = JunkPayload(random, route);
                    return ("signed-junk", () => faults.Signer.SignedPost(route, junk, contentType));
                }

            case 9:
                {
                    var which = random.Next(4);
                    return ("bad-headers", () =>
                    {
                        var request = faults.Signer.SignedPost(route, good, contentType);
                        switch (which)
                        {
                            case 0:
                                request.Headers.Remove("X-Slack-Signature");
                                break;
                            case 1:
                                request.Headers.Remove("X-Slack-Request-Timestamp");
                                break;
                            case 2:
                                request.Headers.TryAddWithoutValidation("X-Slack-Signature", "v0=00");
                                break;
                            default:
                                request.Headers.Remove("X-Slack-Request-Timestamp");
                                request.Headers.TryAddWithoutValidation("X-Slack-Request-Timestamp", "not-a-number");
                                break;
                        }

                        return request;
                    });
                }

            default:
                {
                    var version = new[] { "v1=", "V0=", "v0", "=", "v0=" + new string('f', 63) }[random.Next(5)];
                    return ("bad-version", () => faults.Signer.SignedPost(route, good, contentType, signature: version + SlackRequestSigner.Sign(secret, ts, good)[3..]));
                }
        }
    }

    private static string JunkPayload(Random random, string route)
    {
        var junk = new JsonObject();
        for (var k = 0; k < random.Next(0, 8); k++)
        {
            junk["f" + random.Next(1000).ToString(CultureInfo.InvariantCulture)] = random.Next(3) switch
            {
                0 => JsonValue.Create(random.Next()),
                1 => JsonValue.Create(new string((char)random.Next(32, 0x2FFF), random.Next(0, 50))),
                _ => new JsonArray(JsonValue.Create(random.NextDouble())),
            };
        }

        return route switch
        {
            "/slack/commands" => SlackRequestSigner.Form(("command", "/dbincident"), ("text", "start"), ("f" + random.Next(), junk.ToJsonString())),
            "/slack/interactions" => random.Next(3) switch
            {
                0 => SlackRequestSigner.Form(("payload", junk.ToJsonString())),
                1 => SlackRequestSigner.Form(("payload", "{\"type\":\"block_actions\",\"actions\":" + junk.ToJsonString() + "}")),
                _ => SlackRequestSigner.Form(("payload", "[" + junk.ToJsonString())),
            },
            _ => random.Next(3) switch
            {
                0 => junk.ToJsonString(),
                1 => "{\"type\":\"event_callback\",\"event\":" + junk.ToJsonString() + "}",
                _ => "{\"type\":\"url_verification\",\"challenge\":" + junk.ToJsonString() + "}",
            },
        };
    }

    private static string Tamper(Random random, string body)
    {
        var chars = body.ToCharArray();
        var at = random.Next(chars.Length);
        chars[at] = chars[at] == 'x' ? 'y' : 'x';
        return new string(chars);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static HttpRequestMessage Raw(string route, byte[] body, string contentType, string ts, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("X-Slack-Request-Timestamp", ts);
        request.Headers.TryAddWithoutValidation("X-Slack-Signature", signature);
        return request;
    }
}
