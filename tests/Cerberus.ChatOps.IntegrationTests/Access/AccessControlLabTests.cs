using System.Net;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.IntegrationTests.Faults;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Access;

/// <summary>
/// The access model tried as an attacker inside the workspace would: the real host, driven only through signed Slack
/// requests, against the real Patroni cluster of the lab. Nothing a bystander does may change the cluster.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class AccessControlLabTests(LabFixture fixture)
{
    private const string Stranger = FaultHost.Stranger;
    private const string StrangersChannel = "C0STRANGER";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Approve_BystanderOnTheirOwnIncident_CannotFailOver()
    {
        // arrange: a bystander declares in a channel of their own and becomes its commander
        var (_, timelineBefore) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));
        await using var faults = await FaultHost.CreateAsync(fixture.Lab);
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("start my own outage", Stranger, StrangersChannel));
        var header = await faults.WaitForMessageAsync(m => m.Channel == StrangersChannel && m.ThreadTs is null, Step, "the stranger's incident header");
        var id = System.Text.RegularExpressions.Regex.Match(header.Text, @"INC-\d{4}-\d{4,}").Value;
        await faults.WaitForStateAsync(id, Step, "AwaitingDecision");

        // act: as commander they may propose; their approval click is refused
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("propose switchover", Stranger, StrangersChannel));
        var (value, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, Stranger, cardTs, StrangersChannel)));
        await faults.WaitForResponsesAsync("Only a member of the approver roster", 1, Step);
        await faults.WaitAllSentAsync(Step);

        // assert
        var card = faults.Slack.Messages.Single(m => m.Ts == cardTs);
        Assert.Contains("the approver roster", FaultHost.BlocksText(card), StringComparison.Ordinal);
        Assert.Equal("AwaitingApproval", await faults.StateAsync(id));
        var document = await faults.DocumentAsync(id);
        Assert.Equal("Proposed", Actions(document).Single()["Status"]!.GetValue<string>());
        Assert.Contains(Timeline(document), e => Kind(e) == "Refusal" && Actor(e) == Stranger);
        Assert.DoesNotContain(faults.Slack.Messages, m => FaultHost.BlocksText(m).Contains(":gear: Running", StringComparison.Ordinal));
        var (_, timelineAfter) = PatroniLab.LeaderOf(await fixture.Patroni.GetClusterAsync());
        Assert.Equal(timelineBefore, timelineAfter);
    }

    [Fact]
    public async Task Commands_BystanderInSomeoneElsesIncident_AreRefusedRecordedAndChangeNothing()
    {
        // arrange: the commander's incident with a pending switchover card
        await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90));
        await using var faults = await FaultHost.CreateAsync(fixture.Lab);
        var id = await faults.StartIncidentAsync("bystanders at work");
        await faults.WaitForStateAsync(id, Step, "AwaitingDecision");
        await faults.ProposeSwitchoverAsync(id);
        var (value, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);

        // act: ic @me, then the approval click, resolve --force, cancel, a proposal of their own
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync($"ic <@{Stranger}>", Stranger));
        await faults.WaitForResponsesAsync("may hand over the commander role", 1, Step);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, Stranger, cardTs)));
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("resolve --force nothing to see", Stranger));
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("cancel", Stranger));
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("propose checkpoint", Stranger));
        await faults.WaitForResponsesAsync("Only a member of the approver roster may approve", 1, Step);
        await faults.WaitForResponsesAsync("may resolve the incident", 1, Step);
        await faults.WaitForResponsesAsync("may cancel the incident", 1, Step);
        await faults.WaitForResponsesAsync("may propose an action", 1, Step);
        var stillPending = await faults.DocumentAsync(id);

        // ... and once the commander resolved it, close
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("resolve bystander drill", FaultHost.Commander));
        await faults.WaitForStateAsync(id, Step, "Resolved");
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("close", Stranger));
        await faults.WaitForResponsesAsync("may close the incident", 1, Step);
        await faults.WaitForTextAsync("post-incident summary", Step);
        await faults.WaitAllSentAsync(Step);

        // assert
        Assert.Equal(FaultHost.Commander, stillPending["Commander"]!.GetValue<string>());
        Assert.Equal("AwaitingApproval", stillPending["State"]!.GetValue<string>());
        Assert.Equal("Proposed", Assert.Single(Actions(stillPending))["Status"]!.GetValue<string>());
        var document = await faults.DocumentAsync(id);
        Assert.Equal("Resolved", document["State"]!.GetValue<string>());
        Assert.Equal(6, Timeline(document).Count(e => Kind(e) == "Refusal" && Actor(e) == Stranger));
        Assert.DoesNotContain(faults.Slack.Messages, m => FaultHost.BlocksText(m).Contains(":gear: Running", StringComparison.Ordinal));
        var report = document["ReportMarkdown"]?.GetValue<string>() ?? string.Empty;
        Assert.Contains("### Refused attempts", report, StringComparison.Ordinal);
        Assert.Contains($"@{Stranger}", report[report.IndexOf("### Refused attempts", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_UserGroupOnTheRoster_MemberApprovesNonMemberDoesNot()
    {
        // arrange: the roster is one user group, resolved with usergroups.users.list
        const string Group = "S0DBAS";
        const string Member = "U0GROUPIE";
        var patroni = fixture.Patroni;
        var (_, timelineBefore) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));
        await using var faults = await FaultHost.CreateAsync(fixture.Lab, new() { ["Cerberus__Approvers__0"] = Group });
        faults.Slack.SetUserGroup(Group, Member, "U0OTHERDBA");
        var id = await faults.StartIncidentAsync("group approval");
        await faults.WaitForStateAsync(id, Step, "AwaitingDecision");
        await faults.ProposeSwitchoverAsync(id);
        var (value, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);

        // act
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, Stranger, cardTs)));
        await faults.WaitForResponsesAsync("Only a member of the approver roster", 1, Step);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, Member, cardTs)));
        await faults.WaitForStateAsync(id, TimeSpan.FromSeconds(120), "Mitigated", "AwaitingDecision");
        var (_, timelineAfter) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));

        // assert
        Assert.Equal("Mitigated", await faults.StateAsync(id));
        Assert.Equal(timelineBefore + 1, timelineAfter);
        var action = Actions(await faults.DocumentAsync(id)).Single();
        Assert.Equal(Member, action["DecidedBy"]!.GetValue<string>());
        Assert.NotEmpty(faults.Slack.CallsTo("usergroups.users.list"));
    }

    [Fact]
    public async Task Approve_TwoPersonRuleAcrossADriftReproposal_StillExcludesTheProposer()
    {
        // arrange: every approval needs a second person; the commander proposes
        var patroni = fixture.Patroni;
        var (leader, timelineBefore) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));
        await using var faults = await FaultHost.CreateAsync(fixture.Lab, new()
        {
            ["Cerberus__Approvers__1"] = FaultHost.Commander,
            ["Cerberus__Approval__SecondPersonFor"] = "All",
        });
        var id = await faults.StartIncidentAsync("two people, one drift");
        await faults.WaitForStateAsync(id, Step, "AwaitingDecision");
        await faults.ProposeSwitchoverAsync(id);
        var (first, firstTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);

        // the state drifts under the card: someone switches over by hand and back (same leader, timeline + 2)
        var other = fixture.Lab.PatroniNames.First(n => n != leader);
        foreach (var (from, to) in new[] { (leader!, other), (other, leader!) })
        {
            var (status, body) = await patroni.SwitchoverAsync(from, to);
            Assert.True(status == 200, body);
            await WaitForLeaderAsync(to);
        }

        // act: the approver's click finds the drift; the bot re-proposes in the commander's name
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", first, FaultHost.Approver, firstTs)));
        var (second, secondTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal) && v != first, Step);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", second, FaultHost.Commander, secondTs)));
        await faults.WaitForResponsesAsync("needs a second person", 1, Step);
        var afterRefusal = await faults.DocumentAsync(id);
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", second, FaultHost.Approver, secondTs)));
        await faults.WaitForStateAsync(id, TimeSpan.FromSeconds(120), "Mitigated", "AwaitingDecision");
        var (_, timelineAfter) = PatroniLab.LeaderOf(await patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));

        // assert
        var actions = Actions(afterRefusal);
        Assert.Equal(2, actions.Count);
        Assert.Equal("Refused", actions[0]["Status"]!.GetValue<string>());
        Assert.Equal(FaultHost.Commander, actions[1]["ProposedBy"]!.GetValue<string>());
        Assert.Equal(actions[0]["Id"]!.GetValue<string>(), actions[1]["ReproposalOf"]!.GetValue<string>());
        Assert.Equal("Proposed", actions[1]["Status"]!.GetValue<string>());
        var card = faults.Slack.Messages.Single(m => m.Ts == secondTs);
        Assert.Contains("re-proposed by the bot", FaultHost.BlocksText(card), StringComparison.Ordinal);
        Assert.Equal("Mitigated", await faults.StateAsync(id));
        Assert.Equal(FaultHost.Approver, Actions(await faults.DocumentAsync(id))[1]["DecidedBy"]!.GetValue<string>());
        Assert.Equal(timelineBefore + 3, timelineAfter);
    }

    private async Task WaitForLeaderAsync(string name)
    {
        await Eventually.Async(
            async () => PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90))).Leader,
            leader => leader == name,
            TimeSpan.FromSeconds(90),
            $"{name} did not become the leader",
            TimeSpan.FromMilliseconds(250));
    }

    private static List<JsonNode> Actions(JsonNode document) => [.. document["Actions"]!.AsArray().Select(a => a!)];

    private static List<JsonNode> Timeline(JsonNode document) => [.. document["Timeline"]!.AsArray().Select(e => e!)];

    private static string Kind(JsonNode entry) => entry["Kind"]!.GetValue<string>();

    private static string Actor(JsonNode entry) => entry["Actor"]!.GetValue<string>();
}
