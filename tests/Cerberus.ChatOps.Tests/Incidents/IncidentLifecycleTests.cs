using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.Tests.Incidents;

/// <summary>
/// The whole lifecycle through signed Slack requests against the real host (real SQLite store, real outbox, a fake
/// Slack speaking the Web API), with fake diagnostics and a fake remediation behind the ports.
/// </summary>
public sealed class IncidentLifecycleTests
{
    private const string Starter = "U0STARTER";
    private const string Approver = "U0APPROVER";
    private const string Stranger = "U0STRANGER";
    private const string ReportToken = "a-report-token-of-at-least-24-chars";
    private static readonly TimeSpan BotTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Lifecycle_ThroughSignedSlackRequests_StartDiagnoseApproveVerifyResolveReport()
    {
        // arrange
        await using var slack = await FakeSlackServer.StartAsync();
        var db = Path.Combine(Path.GetTempPath(), $"cerberus-lifecycle-{Guid.NewGuid():N}.db");
        var action = new FakeRemediationAction(RemediationKind.Switchover);
        await using var app = new LifecycleApp(slack, db, action);
        using var client = app.CreateClient();
        var signer = new SlackRequestSigner(SlackAppFactory.Secret);

        // act 1: start
        var ack = await client.SendAsync(signer.SignedPost("/slack/commands", signer.SlashCommandBody("start API returns 500s", user: Starter, responseUrl: slack.NewResponseUrl())));
        var diagnostics = await WaitForMessageAsync(slack, m => BlocksText(m).Contains(ButtonIds.Propose, StringComparison.Ordinal));

        // assert 1
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var header = slack.Messages.First(m => m.ThreadTs is null);
        Assert.Contains("INC-2026-0001", header.Text, StringComparison.Ordinal);
        Assert.Equal(header.Ts, diagnostics.ThreadTs);

        // act 2: propose the switchover, a stranger tries to approve, then the approver does
        var propose = ButtonValue(diagnostics, ButtonIds.Propose, "switchover");
        await client.SendAsync(signer.BlockAction(Click(ButtonIds.Propose, propose, Starter, slack)));
        var card = await WaitForMessageAsync(slack, m => BlocksText(m).Contains(ButtonIds.Approve, StringComparison.Ordinal));
        var approve = ButtonValue(card, ButtonIds.Approve, null);
        await client.SendAsync(signer.BlockAction(Click(ButtonIds.Approve, approve, Stranger, slack)));
        await Eventually.Async(() => slack.ResponsePosts.Any(p => p.Body.ToJsonString().Contains("Only a member of the approver roster", StringComparison.Ordinal)), BotTimeout, "timed out waiting for the bot");
        await client.SendAsync(signer.BlockAction(Click(ButtonIds.Approve, approve, Approver, slack)));
        await WaitForMessageAsync(slack, m => BlocksText(m).Contains("Verified", StringComparison.Ordinal));

        // act 3: resolve, then read the document over HTTP
        await client.SendAsync(signer.SignedPost("/slack/commands", signer.SlashCommandBody("resolve a runaway batch job filled the WAL volume", user: Starter, responseUrl: slack.NewResponseUrl())));
        await Eventually.Async(() => slack.CallsTo("files.completeUploadExternal").Count > 0, BotTimeout, "timed out waiting for the bot");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/incidents/INC-2026-0001/report.md");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReportToken);
        var report = await client.SendAsync(request);

        // assert
        Assert.Equal(1, action.Executions);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var markdown = await report.Content.ReadAsStringAsync();
        Assert.Contains("a runaway batch job filled the WAL volume", markdown, StringComparison.Ordinal);
        Assert.Contains(Approver, markdown, StringComparison.Ordinal);
        Assert.Contains(slack.CallsTo("chat.update"), c => c.Form.GetValueOrDefault("ts") == header.Ts);
        Assert.DoesNotContain(slack.Messages, m => (m.Text + BlocksText(m)).Contains("xoxb-lifecycle", StringComparison.Ordinal));
    }

    private static JsonObject Click(string actionId, string value, string user, FakeSlackServer slack)
    {
        var payload = SlackRequestSigner.BlockActionPayload(actionId, value, user, actionTs: $"1700000001.{Random.Shared.Next(100000, 999999)}");
        payload["response_url"] = slack.NewResponseUrl();
        return payload;
    }

    private static string BlocksText(FakeSlackMessage message) => message.Blocks?.ToJsonString() ?? string.Empty;

    private static string ButtonValue(FakeSlackMessage message, string actionId, string? endsWith)
    {
        foreach (var block in message.Blocks!.AsArray())
        {
            foreach (var element in block?["elements"]?.AsArray() ?? [])
            {
                var value = element?["value"]?.GetValue<string>();
                if (element?["action_id"]?.GetValue<string>() == actionId && value is not null && (endsWith is null || value.EndsWith(endsWith, StringComparison.Ordinal)))
                {
                    return value;
                }
            }
        }

        throw new InvalidOperationException($"no {actionId} button in {message.Blocks.ToJsonString()}");
    }

    private static async Task<FakeSlackMessage> WaitForMessageAsync(FakeSlackServer slack, Func<FakeSlackMessage, bool> match)
    {
        var messages = await Eventually.Async(() => slack.Messages, m => m.Any(match), BotTimeout, "timed out waiting for the bot",
            describe: m => string.Join(" | ", m.Select(x => x.Text)));
        return messages.First(match);
    }

    private sealed class LifecycleApp(FakeSlackServer slack, string db, FakeRemediationAction action) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Slack:SigningSecret", SlackAppFactory.Secret);
            builder.UseSetting("Slack:BotToken", "xoxb-lifecycle-test-token");
            builder.UseSetting("Slack:AllowedTeamIds:0", SlackRequestSigner.TeamId);
            builder.UseSetting("Slack:ApiBaseUrl", slack.ApiBaseUrl);
            builder.UseSetting("Slack:TestAllowedUrlBase", slack.BaseUrl.ToString());
            builder.UseSetting("Slack:ChatInterval", "00:00:00.01");
            builder.UseSetting("Slack:OutboxPollInterval", "00:00:00.1");
            builder.UseSetting("Cerberus:Store:ConnectionString", $"Data Source={db}");
            builder.UseSetting("Cerberus:Approvers:0", Approver);
            builder.UseSetting("Cerberus:Kubernetes:Enabled", "false");
            builder.UseSetting("Cerberus:Reports:BearerToken", ReportToken);
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IDiagnosticsRunner>();
                services.AddSingleton<IDiagnosticsRunner>(new FakeDiagnosticsRunner(TimeProvider.System) { Classification = Cerberus.ChatOps.Domain.Diagnostics.Classification.PrimaryUnresponsive });
                services.RemoveAll<IRemediationAction>();
                services.AddSingleton<IRemediationAction>(action);
            });
        }
    }
}
