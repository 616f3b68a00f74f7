using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cerberus.ChatOps.Api;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Tests.Reports;
using Cerberus.ChatOps.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.Tests.Api;

public sealed class IncidentsEndpointsTests(ReportsApiFactory factory) : IClassFixture<ReportsApiFactory>
{
    private static readonly DateTimeOffset Day = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private HttpClient Client(string? token = ReportsApiFactory.Token)
    {
        var client = factory.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private async Task<Incident> SaveResolvedAsync()
    {
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();
        if (await factory.Store.GetAsync(incident.Id, default) is { } existing)
        {
            return existing;
        }

        incident.AttachReport(PostIncidentReportBuilder.Build(incident, integrity, generatedAt).ToMarkdown());
        await factory.Store.SaveAsync(incident, [], default);
        return incident;
    }

    private async Task<Incident> SaveAsync(string id, Action<Incident> change)
    {
        if (await factory.Store.GetAsync(id, default) is { } existing)
        {
            return existing;
        }

        var incident = Incident.Declare(id, "C0X", "outage", ReportScenarios.OnCall, Day);
        change(incident);
        await factory.Store.SaveAsync(incident, [], default);
        return incident;
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task GetIncidents_WithoutToken_Returns401WithBearerChallenge()
    {
        // arrange
        using var client = Client(token: null);

        // act
        using var response = await client.GetAsync("/incidents");

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(BearerTokenFilter.MissingMessage, await DetailAsync(response));
    }

    [Fact]
    public async Task GetReport_WithWrongToken_Returns401()
    {
        // arrange
        await SaveResolvedAsync();
        using var client = Client("wrong-token-0123456789abcdef-wrong");

        // act
        using var response = await client.GetAsync("/incidents/INC-2026-0007/report.md");

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        Assert.Equal(BearerTokenFilter.WrongMessage, await DetailAsync(response));
    }

    [Fact]
    public async Task GetIncidents_NoTokenConfigured_Returns401AndSaysTheApiIsClosed()
    {
        // arrange
        using var closed = factory.WithWebHostBuilder(b => b.UseSetting("Cerberus:Reports:BearerToken", string.Empty));
        using var client = closed.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReportsApiFactory.Token);

        // act
        using var response = await client.GetAsync("/incidents");

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        Assert.Equal(BearerTokenFilter.NotConfiguredMessage, await DetailAsync(response));
    }

    [Fact]
    public async Task GetIncidents_WithToken_ListsIncidentsWithTheirReportLinks()
    {
        // arrange
        await SaveResolvedAsync();
        await SaveAsync("INC-2026-0501", i => ReportScenarios.Ok(i.BeginDiagnosis(ReportScenarios.OnCall, Day)));
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var items = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!);
        Assert.Equal("Resolved", items["INC-2026-0007"].GetProperty("state").GetString());
        Assert.Equal("/incidents/INC-2026-0007/report.md", items["INC-2026-0007"].GetProperty("report").GetString());
        Assert.Equal("Diagnosing", items["INC-2026-0501"].GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, items["INC-2026-0501"].GetProperty("report").ValueKind);
        Assert.Equal("INC-2026-0501 is still Diagnosing: the document is written when it is resolved.", items["INC-2026-0501"].GetProperty("noReportReason").GetString());
    }

    [Fact]
    public async Task GetIncidents_OpenOnly_ListsOnlyOpenIncidents()
    {
        // arrange
        await SaveResolvedAsync();
        await SaveAsync("INC-2026-0502", i => ReportScenarios.Ok(i.BeginDiagnosis(ReportScenarios.OnCall, Day)));
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents?open=true");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var ids = json.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Contains("INC-2026-0502", ids);
        Assert.DoesNotContain("INC-2026-0007", ids);
    }

    [Fact]
    public async Task GetIncidents_LimitOutOfRange_Returns400()
    {
        // arrange
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents?limit=0");

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("limit must be between 1 and 500.", await DetailAsync(response));
    }

    [Fact]
    public async Task GetReport_ResolvedIncident_ReturnsTheStoredMarkdown()
    {
        // arrange
        var incident = await SaveResolvedAsync();
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents/INC-2026-0007/report.md");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/markdown", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(incident.ReportMarkdown, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetReport_LowerCaseId_IsNormalised()
    {
        // arrange
        await SaveResolvedAsync();
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents/inc-2026-0007/report.md");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetReport_OpenIncident_Returns409SayingWhy()
    {
        // arrange
        await SaveAsync("INC-2026-0503", i =>
        {
            ReportScenarios.Ok(i.BeginDiagnosis(ReportScenarios.OnCall, Day));
            ReportScenarios.Ok(i.CompleteDiagnosis(new DiagnosisReport(Day, Day, [], Classification.Inconclusive, "nothing found", []), Day));
        });
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents/INC-2026-0503/report.md");

        // assert
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("INC-2026-0503 is still AwaitingDecision: the document is written when it is resolved.", await DetailAsync(response));
    }

    [Fact]
    public async Task GetReport_CancelledIncident_Returns404SayingWhy()
    {
        // arrange
        await SaveAsync("INC-2026-0504", i => ReportScenarios.Ok(i.Cancel(ReportScenarios.OnCall, Some.Policy(), Day.AddMinutes(1))));
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents/INC-2026-0504/report.md");

        // assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("INC-2026-0504 was cancelled: cancelled incidents get no report.", await DetailAsync(response));
    }

    [Fact]
    public async Task GetReport_UnknownIncident_Returns404()
    {
        // arrange
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents/INC-2026-9999/report.md");

        // assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("There is no incident INC-2026-9999.", await DetailAsync(response));
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("INC-26-1")]
    [InlineData("INC-2026-0001x")]
    public async Task GetReport_MalformedId_Returns400(string id)
    {
        // arrange
        using var client = Client();

        // act
        using var response = await client.GetAsync($"/incidents/{id}/report.md");

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith($"'{id}' is not an incident id", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReport_StoreFails_Returns503NotA500()
    {
        // arrange
        using var failing = new ReportsApiFactory();
        failing.Store.FailWith = new InvalidOperationException("database is down");
        using var client = failing.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReportsApiFactory.Token);

        // act
        using var report = await client.GetAsync("/incidents/INC-2026-0007/report.md");
        using var list = await client.GetAsync("/incidents");

        // assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, report.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
        Assert.Equal("The incident store did not answer; try again shortly.", await DetailAsync(report));
    }

    [Fact]
    public async Task GetReport_ResolvedButNotWrittenYet_Returns404SayingSo()
    {
        // arrange
        await SaveAsync("INC-2026-0505", i => ReportScenarios.Ok(i.Resolve(ReportScenarios.OnCall, "x", false, Some.Policy(), Day.AddMinutes(5))));
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents/INC-2026-0505/report.md");

        // assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("INC-2026-0505 is Resolved, but its document has not been written yet; try again in a minute.", await DetailAsync(response));
    }

    [Fact]
    public async Task GetReport_ClosedIncident_ReturnsItsDocument()
    {
        // arrange
        await SaveAsync("INC-2026-0506", i =>
        {
            ReportScenarios.Ok(i.Resolve(ReportScenarios.OnCall, "x", false, Some.Policy(), Day.AddMinutes(5)));
            i.AttachReport(PostIncidentReportBuilder.Build(i, null, Day.AddMinutes(6)).ToMarkdown());
            ReportScenarios.Ok(i.Close(ReportScenarios.OnCall, Some.Policy(), Day.AddDays(1)));
        });
        using var client = Client();

        // act
        using var response = await client.GetAsync("/incidents/INC-2026-0506/report.md");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("# INC-2026-0506: outage — post-incident report", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetIncidents_StoreFails_Returns503()
    {
        // arrange
        using var broken = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.RemoveAll<IIncidentStore>();
            s.AddSingleton<IIncidentStore, FailingIncidentStore>();
        }));
        using var client = broken.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReportsApiFactory.Token);

        // act
        using var response = await client.GetAsync("/incidents");

        // assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    private sealed class FailingIncidentStore : IIncidentStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string> AllocateIncidentIdAsync(DateTimeOffset now, CancellationToken cancellationToken) => throw Down();

        public Task<Cerberus.ChatOps.Domain.Incidents.Incident?> GetAsync(string incidentId, CancellationToken cancellationToken) => throw Down();

        public Task<Cerberus.ChatOps.Domain.Incidents.Incident?> FindOpenInChannelAsync(string channelId, CancellationToken cancellationToken) => throw Down();

        public Task<IReadOnlyList<IncidentSummary>> ListAsync(bool openOnly, int limit, CancellationToken cancellationToken) => throw Down();

        public Task<IReadOnlyList<IncidentClock>> ListOpenClocksAsync(int limit, CancellationToken cancellationToken) => throw Down();

        public Task SaveAsync(Cerberus.ChatOps.Domain.Incidents.Incident incident, IReadOnlyList<OutboxItem> outbox, CancellationToken cancellationToken) => throw Down();

        private static InvalidOperationException Down() => new("the store is down");
    }
}
