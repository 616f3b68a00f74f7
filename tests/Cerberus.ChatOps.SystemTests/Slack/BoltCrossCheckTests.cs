using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Http;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.SystemTests.Slack;

/// <summary>Our verifier and our test signer against @slack/bolt's isValidSlackRequest on the same vectors.</summary>
public sealed class BoltCrossCheckTests
{
    [Fact]
    public async Task Verify_SharedVectors_AgreesWithBoltExceptFutureTimestamps()
    {
        // arrange
        const string Secret = SlackDocumentedVector.Secret;
        var docTs = long.Parse(SlackDocumentedVector.Timestamp, CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signer = new SlackRequestSigner(Secret);
        var command = signer.SlashCommandBody("start primary is down & <replica> lags 💥");
        var interaction = SlackRequestSigner.InteractionBody(SlackRequestSigner.BlockActionPayload("approve", "INC-2026-0001:a1"));
        var nowTs = now.ToString(CultureInfo.InvariantCulture);
        var vectors = new List<Vector>
        {
            new("slack-doc-vector", Secret, SlackDocumentedVector.Body, SlackDocumentedVector.Timestamp, SlackDocumentedVector.Signature, docTs, Expected: true),
            new("slack-doc-vector-301s-later", Secret, SlackDocumentedVector.Body, SlackDocumentedVector.Timestamp, SlackDocumentedVector.Signature, docTs + 301, Expected: false),
            new("slack-doc-vector-tampered", Secret, SlackDocumentedVector.Body.Replace("text=&", "text=x&", StringComparison.Ordinal), SlackDocumentedVector.Timestamp, SlackDocumentedVector.Signature, docTs, Expected: false),
            new("our-signer-command", Secret, command, nowTs, SlackRequestVerifier.Sign(Secret, nowTs, Encoding.UTF8.GetBytes(command)), now, Expected: true),
            new("test-signer-command", Secret, command, nowTs, SlackRequestSigner.Sign(Secret, nowTs, command), now, Expected: true),
            new("test-signer-interaction", Secret, interaction, nowTs, SlackRequestSigner.Sign(Secret, nowTs, interaction), now, Expected: true),
            new("wrong-secret", Secret, command, nowTs, SlackRequestSigner.Sign("other", nowTs, command), now, Expected: false),
            new("stale-by-an-hour", Secret, command, (now - 3600).ToString(CultureInfo.InvariantCulture), SlackRequestSigner.Sign(Secret, (now - 3600).ToString(CultureInfo.InvariantCulture), command), now, Expected: false),
        };
        var futureTs = (now + 3600).ToString(CultureInfo.InvariantCulture);
        var future = new Vector("future-by-an-hour", Secret, command, futureTs, SlackRequestSigner.Sign(Secret, futureTs, command), now, Expected: false);
        vectors.Add(future);

        // act
        var bolt = await RunBoltAsync(vectors);
        var ours = vectors.ToDictionary(
            v => v.Name,
            v => SlackRequestVerifier.Verify(v.Secret, Encoding.UTF8.GetBytes(v.Body), v.Timestamp, v.Signature, DateTimeOffset.FromUnixTimeSeconds(v.NowSeconds)));

        // assert
        foreach (var v in vectors.Where(v => v.Name != future.Name))
        {
            Assert.True(v.Expected == bolt[v.Name], $"bolt says {bolt[v.Name]} for {v.Name}");
            Assert.True(v.Expected == (ours[v.Name] == SlackVerification.Valid), $"ours says {ours[v.Name]} for {v.Name}");
        }

        // The one documented difference: Bolt only rejects stale timestamps; we reject both directions.
        Assert.True(bolt[future.Name], "bolt is expected to accept a future timestamp (its window is one-sided)");
        Assert.Equal(SlackVerification.Future, ours[future.Name]);
    }

    private static async Task<Dictionary<string, bool>> RunBoltAsync(IReadOnlyList<Vector> vectors)
    {
        var file = Path.Combine(Path.GetTempPath(), $"cerberus-vectors-{Guid.NewGuid():N}.json");
        var json = new JsonArray([.. vectors.Select(v => (JsonNode)new JsonObject
        {
            ["name"] = v.Name,
            ["secret"] = v.Secret,
            ["body"] = v.Body,
            ["timestamp"] = v.Timestamp,
            ["signature"] = v.Signature,
            ["nowMs"] = v.NowSeconds * 1000,
        })]);
        await File.WriteAllTextAsync(file, json.ToJsonString());
        try
        {
            var (exitCode, output) = await NodeTools.RunAsync("node", "verify.mjs", file);
            Assert.True(exitCode == 0, "verify.mjs failed:\n" + output);
            using var results = JsonDocument.Parse(output);
            return results.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("valid").GetBoolean());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private sealed record Vector(string Name, string Secret, string Body, string Timestamp, string Signature, long NowSeconds, bool Expected);
}
