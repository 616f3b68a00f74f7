using System.Net;
using Cerberus.ChatOps.IntegrationTests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Faults;

/// <summary>A Slack that answers 429 (with Retry-After), then 5xx for a while, then one ambiguous 500 after posting: every message still arrives exactly once.</summary>
[Collection(LabCollection.Name)]
public sealed class SlackOutageTests(LabFixture fixture)
{
    [Fact]
    public async Task Outbox_SlackAnswers429Then5xxForAWhile_DeliversEveryMessageExactlyOnce()
    {
        // arrange
        await using var faults = await FaultHost.CreateAsync(fixture.Lab, new Dictionary<string, string>
        {
            ["Slack__OutboxMaxBackoff"] = "00:00:02",
        });
        faults.Slack.FailNext("chat.postMessage", 3, 429, retryAfterSeconds: 1);
        faults.Slack.FailFor("chat.postMessage", TimeSpan.FromSeconds(5), 503);
        faults.Slack.FailFor("chat.update", TimeSpan.FromSeconds(5), 502);
        faults.Slack.FailAfterProcessingNext("chat.postMessage");

        // act
        var id = await faults.StartIncidentAsync("slack is having a bad day");
        foreach (var n in Enumerable.Range(1, 3))
        {
            Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync($"note outage note {n}"));
        }

        await faults.WaitForStateAsync(id, TimeSpan.FromSeconds(60), "AwaitingDecision");
        await faults.WaitAllSentAsync(TimeSpan.FromSeconds(60));

        // assert
        var calls = faults.Slack.Calls;
        Assert.True(calls.Count(c => c.Status == 429) >= 3, "the 429s were not hit");
        Assert.Contains(calls, c => c.Status == 503);
        Assert.Contains(calls, c => c.Method == "chat.postMessage" && c.Status == 500);
        Assert.Empty(faults.DuplicatedOutboxIds());
        var posted = faults.Slack.Messages.Where(m => m.OutboxId is not null).Select(m => m.OutboxId!).ToHashSet(StringComparer.Ordinal);
        var expected = await faults.OutboxIdsAsync("post", "thread");
        Assert.True(expected.Count >= 5, $"only {expected.Count} messages were written (header, diagnostics, three notes)");
        Assert.All(expected, outboxId => Assert.Contains(outboxId, posted));
        Assert.Equal(3, faults.Slack.Messages.Count(m => FaultHost.BlocksText(m).Contains("outage note", StringComparison.Ordinal)));
    }
}
