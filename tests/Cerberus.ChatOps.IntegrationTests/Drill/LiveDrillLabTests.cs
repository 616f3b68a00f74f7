using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.IntegrationTests.Faults;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cerberus.ChatOps.IntegrationTests.Drill;

/// <summary>
/// A live drill end to end against the lab's Patroni cluster, through the real host driven by signed Slack requests:
/// the fault is really injected on the leader, the real diagnosis recommends the slot drop, a roster member proposes
/// it and another approves it (accepting its risk), the real action drops the slot, and the drill reports the time to
/// recovery against the RTO and the writer's acknowledged writes — then the cluster is as it was.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class LiveDrillLabTests(LabFixture fixture, ITestOutputHelper output)
{
    private const string Slot = "cerberus_live_drill";
    private const string Table = "public.cerberus_live_drill_writes";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LiveDrill_SlotFill_RealApprovalDropsTheSlotAndReportsTimeToRecoveryAndAcknowledgedWrites()
    {
        // arrange: the bot configured for the cluster (diagnostics and actions on the leader), live drills enabled,
        // two roster members, the slot threshold low enough for a fast drill
        var lab = fixture.Lab;
        var (leader, _) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));
        var leaderPg = lab.PatroniPostgres[lab.PatroniNames.ToList().IndexOf(leader!)];
        await using var faults = await FaultHost.CreateAsync(lab, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Cerberus__Drill__LiveEnabled"] = "true",
            ["Cerberus__Drill__WriterInterval"] = "00:00:00.020",
            ["Cerberus__Drill__PollInterval"] = "00:00:00.250",
            ["Cerberus__Postgres__ConnectionString"] = leaderPg,
            ["Cerberus__Actions__PostgresConnectionString"] = leaderPg,
            ["Cerberus__Postgres__SlotRetainedCritBytes"] = (16L << 20).ToString(CultureInfo.InvariantCulture),
            ["Cerberus__Approvers__1"] = FaultHost.Commander,
        });

        // act: a roster member starts the drill; the real diagnosis recommends the drop; propose, approve
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("drill --live slot-fill", user: FaultHost.Approver));
        var id = await faults.WaitForIncidentIdAsync(Step);
        var (propose, diagnosisTs) = await faults.WaitForButtonAsync("cerberus.propose", v => v == id + "|drop-slot", Step);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.propose", propose, FaultHost.Approver, diagnosisTs)));
        var (approve, cardTs) = await faults.WaitForButtonAsync("cerberus.approve_risk", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve_risk", approve, FaultHost.Commander, cardTs)));
        var result = await faults.WaitForTextAsync("live drill slot-fill: time to recovery", Step);
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("resolve inactive slot injected by the live drill", user: FaultHost.Approver));
        await faults.WaitForStateAsync(id, Step, "Resolved");
        var document = await Eventually.Async(() => faults.DocumentAsync(id), d => d["ReportMarkdown"] is not null, Step, "the post-incident report was not written");

        // assert: the figures, in the thread and in the document
        var text = FaultHost.BlocksText(result) + result.Text;
        var line = Figures().Match(text);
        Assert.True(line.Success, text);
        var live = document["LiveDrill"]!;
        var acknowledged = live["Acknowledged"]!.GetValue<long>();
        var survived = live["Survived"]!.GetValue<long>();
        var lost = live["Lost"]!.AsArray().Count;
        var timeToRecovery = live["RecoveredAt"]!.GetValue<DateTimeOffset>() - live["InjectedAt"]!.GetValue<DateTimeOffset>();
        var report = document["ReportMarkdown"]!.GetValue<string>();
        var summary = $"live drill slot-fill: time to recovery {timeToRecovery.TotalSeconds:F1} s, RTO 4 h; acknowledged writes {acknowledged}, survived {survived}, lost {lost}";
        output.WriteLine(summary);
        System.Console.WriteLine(summary);
        output.WriteLine(line.Value);
        foreach (var message in faults.Slack.Messages)
        {
            output.WriteLine("- " + message.Text);
        }

        Assert.True(acknowledged > 0, "the writer had no acknowledged write");
        Assert.Equal(acknowledged, survived);
        Assert.Equal(0, lost);
        Assert.True(timeToRecovery > TimeSpan.Zero && timeToRecovery < TimeSpan.FromMinutes(2), timeToRecovery.ToString());
        Assert.Contains("RTO 4 h met", line.Value, StringComparison.Ordinal);
        Assert.Contains("[LIVE DRILL]", report, StringComparison.Ordinal);
        Assert.Contains($"| Acknowledged writes | {acknowledged} |", report, StringComparison.Ordinal);
        Assert.Contains("| Lost | 0 |", report, StringComparison.Ordinal);
        Assert.Contains(document["Actions"]!.AsArray(), a => a!["Kind"]!.ToString() == "DropReplicationSlot" && a["Status"]!.ToString() == "Succeeded"
            && a["DecidedBy"]!.GetValue<string>() == FaultHost.Commander);

        // assert: the cluster is as it was (slot, ignore_slots entry and the writer's table gone)
        Assert.False(await ExistsAsync(leaderPg, $"SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '{Slot}')"));
        Assert.False(await ExistsAsync(leaderPg, $"SELECT to_regclass('{Table}') IS NOT NULL"));
        Assert.DoesNotContain(Slot, await IgnoreSlotsAsync(), StringComparison.Ordinal);
    }

    private static async Task<bool> ExistsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> IgnoreSlotsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var config = JsonNode.Parse(await http.GetStringAsync(new Uri(fixture.Lab.PatroniUrls[0], "/config")))!;
        return config["ignore_slots"]?.ToJsonString() ?? "(none)";
    }

    [GeneratedRegex(@"live drill slot-fill: time to recovery [^;]+; acknowledged writes \d+, survived \d+, lost \d+")]
    private static partial Regex Figures();
}
