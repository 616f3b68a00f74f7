using System.Globalization;
using System.Net;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Faults;

/// <summary>
/// kill -9 of the real host in the middle of a burst of slash commands, while the inbox writer is group-committing
/// them: every command that was answered 200 is in the store afterwards, and the restarted host answers each one. A
/// command cut off before its answer may or may not be stored (Slack sends it again, and the dedupe takes it).
/// </summary>
public sealed class AckDurabilityTests
{
    private const int Commands = 600;
    private const int KillAfterAcks = 200;
    private const int Connections = 32;

    [Fact]
    public async Task Host_KilledDuringABurstOfCommands_EveryAcknowledgedCommandIsStoredAndAnsweredAfterTheRestart()
    {
        // arrange
        await using var faults = await FaultHost.CreateAsync(lab: null);
        var requests = Enumerable.Range(0, Commands).Select(i =>
        {
            var trigger = "9000000." + i.ToString("D6", CultureInfo.InvariantCulture);
            var responseUrl = faults.Slack.NewResponseUrl();
            return (Trigger: trigger, ResponsePath: new Uri(responseUrl).AbsolutePath, Body: faults.Signer.SlashCommandBody("help", trigger, FaultHost.Commander, FaultHost.Channel, responseUrl));
        }).ToList();
        var acked = new List<(string Trigger, string ResponsePath)>();
        var next = -1;
        var killed = 0;

        // act: 32 connections send the burst; the host is killed once 200 of them were acknowledged
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                HttpStatusCode status;
                try
                {
                    status = await faults.SendAsync(faults.Signer.SignedPost("/slack/commands", requests[i].Body));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    continue;
                }

                if (status != HttpStatusCode.OK)
                {
                    continue;
                }

                int count;
                lock (acked)
                {
                    acked.Add((requests[i].Trigger, requests[i].ResponsePath));
                    count = acked.Count;
                }

                if (count >= KillAfterAcks && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    faults.Kill();
                }
            }
        }));
        var storedAfterKill = await faults.CountAsync("SELECT COUNT(*) FROM inbox");
        var missing = new List<string>();
        foreach (var (trigger, _) in acked)
        {
            if (await faults.CountAsync($"SELECT COUNT(*) FROM inbox WHERE key = 'cmd:{trigger}'") != 1)
            {
                missing.Add(trigger);
            }
        }

        await faults.StartAsync();
        var answeredPaths = await Eventually.Async(
            () => faults.Slack.ResponsePosts.Select(p => p.Path).ToHashSet(StringComparer.Ordinal),
            paths => acked.All(a => paths.Contains(a.ResponsePath)),
            TimeSpan.FromSeconds(60), "the restarted host did not answer every acknowledged command", TimeSpan.FromMilliseconds(200),
            paths => $"{acked.Count(a => !paths.Contains(a.ResponsePath))} of {acked.Count} acknowledged commands unanswered\nHost:\n{faults.Host?.OutputTail}");

        // assert
        Assert.Equal(1, killed);
        Assert.InRange(acked.Count, KillAfterAcks, Commands - 1);
        Assert.Empty(missing);
        Assert.True(storedAfterKill >= acked.Count, $"{storedAfterKill} rows stored for {acked.Count} acknowledged commands");
        Assert.All(acked, a => Assert.Contains(a.ResponsePath, answeredPaths));
    }
}
