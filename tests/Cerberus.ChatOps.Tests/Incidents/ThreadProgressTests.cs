using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Incidents;

public sealed class ThreadProgressTests
{
    private const string Hourglass = ":hourglass_flowing_sand:";

    [Fact]
    public async Task Report_SeveralWithinTheInterval_FirstPostedAtOnceTheLatestOnFlush()
    {
        // arrange
        await using var h = new EngineHarness();
        var sut = new ThreadProgress(h.Mutator, await DeclaredAsync(h), h.Time);

        // act
        sut.Report("batch 1 of 3");
        sut.Report("batch 2 of 3");
        sut.Report("batch 3 of 3");
        var beforeFlush = await ProgressAsync(h, expected: 1);
        await sut.FlushAsync(CancellationToken.None);

        // assert
        Assert.Equal([$"{Hourglass} batch 1 of 3"], beforeFlush);
        Assert.Equal([$"{Hourglass} batch 1 of 3", $"{Hourglass} batch 3 of 3"], await ProgressAsync(h, expected: 2));
    }

    [Fact]
    public async Task Report_AfterTheInterval_PostedAtOnceAndNothingLeftToFlush()
    {
        // arrange
        await using var h = new EngineHarness();
        var sut = new ThreadProgress(h.Mutator, await DeclaredAsync(h), h.Time);
        sut.Report("deleted 1000 rows");
        await ProgressAsync(h, expected: 1);

        // act
        h.Time.Advance(ThreadProgress.Interval);
        sut.Report("deleted 2000 rows");
        var posted = await ProgressAsync(h, expected: 2);
        await sut.FlushAsync(CancellationToken.None);

        // assert
        Assert.Equal([$"{Hourglass} deleted 1000 rows", $"{Hourglass} deleted 2000 rows"], posted);
        Assert.Equal(posted, await ProgressAsync(h, expected: 2));
    }

    private static async Task<Incident> DeclaredAsync(EngineHarness h)
    {
        var id = await h.Engine.Commands.StartAsync(EngineHarness.Channel, Some.Starter, "API returns 500s", false, EngineHarness.Reply(), CancellationToken.None);
        await h.IdleAsync();
        return await h.IncidentAsync(id!);
    }

    /// <summary>The progress lines in the thread, once at least <paramref name="expected"/> are there (a report posts without being awaited).</summary>
    private static async Task<IReadOnlyList<string>> ProgressAsync(EngineHarness h, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lines = (await h.OutboxAsync())
                .Where(o => o.Item.Kind == OutboxKinds.Thread && o.Message.Text.StartsWith(Hourglass, StringComparison.Ordinal))
                .Select(o => o.Message.Text)
                .ToList();
            if (lines.Count >= expected || DateTime.UtcNow > deadline)
            {
                return lines;
            }

            await Task.Delay(20);
        }
    }
}
