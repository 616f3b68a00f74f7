using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Host;
using Cerberus.ChatOps.Tests.Support.Slack;
using Microsoft.Data.Sqlite;

namespace Cerberus.ChatOps.IntegrationTests.Faults;

/// <summary>
/// One scenario of the fault suite: a fake Slack, a temp SQLite store that survives kills, and the real host as a
/// child process configured against the lab. The host is driven only through signed Slack requests.
/// </summary>
internal sealed partial class FaultHost : IAsyncDisposable
{
    public const string Channel = "C0FAULTS";
    public const string Commander = "U0COMMANDER";
    public const string Approver = "U0APPROVER";
    public const string Stranger = "U0STRANGER";
    private const string SigningSecret = "fault-suite-signing-secret";

    private readonly string _storeDir = Directory.CreateTempSubdirectory("cerberus-faults-").FullName;
    private readonly LabEnvironment? _lab;
    private readonly Dictionary<string, string> _extra;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<CerberusHostProcess> _replicas = [];
    private int _actionTs;

    private FaultHost(FakeSlackServer slack, LabEnvironment? lab, Dictionary<string, string> extra)
    {
        Slack = slack;
        _lab = lab;
        _extra = extra;
        Signer = new SlackRequestSigner(SigningSecret);
    }

    public FakeSlackServer Slack { get; }

    public SlackRequestSigner Signer { get; }

    public CerberusHostProcess? Host { get; private set; }

    public string StorePath => Path.Combine(_storeDir, "cerberus.db");

    /// <summary>Every host started in this scenario (restarts included) with their start-up times.</summary>
    public List<TimeSpan> StartupTimes { get; } = [];

    public static async Task<FaultHost> CreateAsync(LabEnvironment? lab, Dictionary<string, string>? extra = null)
    {
        var slack = await FakeSlackServer.StartAsync();
        var host = new FaultHost(slack, lab, extra ?? []);
        await host.StartAsync();
        return host;
    }

    public async Task StartAsync()
    {
        Host = await CerberusHostProcess.StartAsync(HostEnvironment(), TimeSpan.FromSeconds(60));
        StartupTimes.Add(Host.StartupTime);
    }

    /// <summary>One more host process on the same store and Slack (a second replica, or the new pod of a rolling update).</summary>
    public async Task<CerberusHostProcess> StartReplicaAsync()
    {
        var replica = await CerberusHostProcess.StartAsync(HostEnvironment(), TimeSpan.FromSeconds(60));
        _replicas.Add(replica);
        return replica;
    }

    private Dictionary<string, string> HostEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Slack__SigningSecret"] = SigningSecret,
            ["Slack__BotToken"] = "xoxb-fault-suite",
            ["Slack__AllowedTeamIds__0"] = SlackRequestSigner.TeamId,
            ["Slack__ApiBaseUrl"] = Slack.ApiBaseUrl,
            ["Slack__TestAllowedUrlBase"] = Slack.BaseUrl.ToString(),
            ["Slack__ChatInterval"] = "00:00:00.050",
            ["Slack__OutboxPollInterval"] = "00:00:00.500",
            ["Slack__RetryBaseDelay"] = "00:00:00.200",
            ["Cerberus__Store__Provider"] = "Sqlite",
            ["Cerberus__Store__ConnectionString"] = "Data Source=" + StorePath,
            ["Cerberus__Kubernetes__Enabled"] = "false",
            ["Cerberus__Approvers__0"] = Approver,
            ["Cerberus__TimerInterval"] = "00:00:01",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        if (_lab is not null)
        {
            env["Cerberus__Postgres__ConnectionString"] = _lab.MonitorConnectionString;

            // The actions' own role (its Host/Port are replaced by the member's when a new leader is verified).
            env["Cerberus__Actions__PostgresConnectionString"] = _lab.PatroniPostgres[0];
            for (var i = 0; i < _lab.PatroniUrls.Count; i++)
            {
                env[$"Cerberus__Patroni__Urls__{i}"] = _lab.PatroniUrls[i].ToString();
            }

            env["Cerberus__Patroni__Username"] = _lab.PatroniUser;
            env["Cerberus__Patroni__Password"] = _lab.PatroniPassword;
        }

        foreach (var (key, value) in _extra)
        {
            env[key] = value;
        }

        return env;
    }

    /// <summary>kill -9, then a new process on the same store.</summary>
    public async Task KillAndRestartAsync()
    {
        Kill();
        await StartAsync();
    }

    public void Kill()
    {
        Host?.Kill();
    }

    public async Task<HttpStatusCode> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            request.RequestUri = new Uri(Host!.BaseUrl, request.RequestUri!.ToString());
            using var response = await _http.SendAsync(request);
            return response.StatusCode;
        }
    }

    public Task<HttpStatusCode> CommandAsync(string text, string user = Commander, string channel = Channel) =>
        SendAsync(Signer.SignedPost("/slack/commands", Signer.SlashCommandBody(text, user: user, channel: channel, responseUrl: Slack.NewResponseUrl())));

    public HttpRequestMessage Click(string actionId, string value, string user, string messageTs = "1700000000.000100", string channel = Channel)
    {
        var ts = "1700000001." + Interlocked.Increment(ref _actionTs).ToString("D6", CultureInfo.InvariantCulture);
        var payload = SlackRequestSigner.BlockActionPayload(actionId, value, user, ts, channel, messageTs);
        payload["response_url"] = Slack.NewResponseUrl();
        return Signer.BlockAction(payload);
    }

    /// <summary>Opens an incident and returns its id (read from the header message at the fake Slack).</summary>
    public async Task<string> StartIncidentAsync(string summary)
    {
        Assert.Equal(HttpStatusCode.OK, await CommandAsync("start " + summary));
        var header = await WaitForMessageAsync(m => m.ThreadTs is null && IncidentId().IsMatch(m.Text + BlocksText(m)), TimeSpan.FromSeconds(20), "the incident header");
        return IncidentId().Match(header.Text + BlocksText(header)).Value;
    }

    /// <summary>Waits for an incident header (posted by any command that declares one) and returns the incident's id.</summary>
    public async Task<string> WaitForIncidentIdAsync(TimeSpan limit)
    {
        var header = await WaitForMessageAsync(m => m.ThreadTs is null && IncidentId().IsMatch(m.Text + BlocksText(m)), limit, "the incident header");
        return IncidentId().Match(header.Text + BlocksText(header)).Value;
    }

    public async Task<FakeSlackMessage> WaitForMessageAsync(Func<FakeSlackMessage, bool> match, TimeSpan limit, string what)
    {
        var messages = await Eventually.Async(() => Slack.Messages, m => m.Any(match), limit, $"{what} did not reach the fake Slack",
            describe: m => $"Messages:\n{string.Join("\n", m.Select(x => "- " + Short(x.Text)))}\nHost:\n{Host?.OutputTail}");
        return messages.First(match);
    }

    public Task<FakeSlackMessage> WaitForTextAsync(string fragment, TimeSpan limit) =>
        WaitForMessageAsync(m => m.Text.Contains(fragment, StringComparison.Ordinal) || BlocksText(m).Contains(fragment, StringComparison.Ordinal), limit, $"a message with \"{fragment}\"");

    /// <summary>The value of the first button with <paramref name="actionId"/> (and a value matching <paramref name="value"/>) in any message.</summary>
    public async Task<(string Value, string MessageTs)> WaitForButtonAsync(string actionId, Func<string, bool> value, TimeSpan limit)
    {
        string? found = null;
        var message = await WaitForMessageAsync(m => (found = Buttons(m).FirstOrDefault(b => b.ActionId == actionId && value(b.Value)).Value) is not null, limit, $"a {actionId} button");
        return (found!, message.Ts);
    }

    public static IEnumerable<(string ActionId, string Value)> Buttons(FakeSlackMessage message)
    {
        if (message.Blocks is not JsonArray blocks)
        {
            yield break;
        }

        foreach (var block in blocks)
        {
            if (block?["elements"] is not JsonArray elements)
            {
                continue;
            }

            foreach (var element in elements)
            {
                if (element?["action_id"]?.GetValue<string>() is { } id && element["value"]?.GetValue<string>() is { } v)
                {
                    yield return (id, v);
                }
            }
        }
    }

    public static string BlocksText(FakeSlackMessage message) => message.Blocks?.ToJsonString() ?? string.Empty;

    /// <summary>The incident's state as the store has it (read-only, beside the running host).</summary>
    public async Task<string?> StateAsync(string incidentId)
    {
        await using var connection = await OpenStoreAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM incidents WHERE id = $id";
        command.Parameters.AddWithValue("$id", incidentId);
        return (string?)await command.ExecuteScalarAsync();
    }

    public async Task<string> WaitForStateAsync(string incidentId, TimeSpan limit, params string[] states) =>
        (await Eventually.Async(() => StateAsync(incidentId), state => state is not null && states.Contains(state), limit, $"{incidentId} did not reach {string.Join('|', states)}",
            describe: state => $"{state ?? "no incident"}\nHost:\n{Host?.OutputTail}"))!;

    /// <summary>The incident's stored document (JSON), read beside the running host.</summary>
    public async Task<JsonNode> DocumentAsync(string incidentId)
    {
        await using var connection = await OpenStoreAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT document FROM incidents WHERE id = $id";
        command.Parameters.AddWithValue("$id", incidentId);
        var json = (string?)await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no incident {incidentId}");
        return JsonNode.Parse(json)!;
    }

    /// <summary>How many response_url answers contain <paramref name="fragment"/>.</summary>
    public int Responses(string fragment) =>
        Slack.ResponsePosts.Count(p => p.Body.ToJsonString().Contains(fragment, StringComparison.Ordinal));

    /// <summary>Waits until <paramref name="count"/> response_url answers contain <paramref name="fragment"/>.</summary>
    public Task WaitForResponsesAsync(string fragment, int count, TimeSpan limit) =>
        Eventually.Async(() => Slack.ResponsePosts, posts => posts.Count(p => p.Body.ToJsonString().Contains(fragment, StringComparison.Ordinal)) >= count, limit,
            $"{count} response_url answers with \"{fragment}\" did not arrive",
            describe: posts => $"{Responses(fragment)} of them.\nAnswers:\n{string.Join("\n", posts.Select(p => "- " + Short(p.Body.ToJsonString())))}\nHost:\n{Host?.OutputTail}");

    /// <summary>Outbox rows by status.</summary>
    public async Task<Dictionary<string, int>> OutboxStatusesAsync()
    {
        await using var connection = await OpenStoreAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, COUNT(*) FROM outbox GROUP BY status";
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = reader.GetInt32(1);
        }

        return result;
    }

    /// <summary>Waits until every outbox item is Sent; fails with the counts otherwise.</summary>
    public Task WaitAllSentAsync(TimeSpan limit) =>
        Eventually.Async(OutboxStatusesAsync, statuses => statuses.Keys.All(k => k == "Sent"), limit, "outbox not drained", TimeSpan.FromMilliseconds(100),
            statuses => $"{string.Join(", ", statuses.Select(s => s.Key + "=" + s.Value))}\nHost:\n{Host?.OutputTail}");

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = await OpenStoreAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Ids of the outbox items of the given kinds (e.g. post, thread).</summary>
    public async Task<List<string>> OutboxIdsAsync(params string[] kinds)
    {
        await using var connection = await OpenStoreAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id FROM outbox WHERE kind IN ({string.Join(',', kinds.Select((_, i) => "$k" + i.ToString(CultureInfo.InvariantCulture)))})";
        for (var i = 0; i < kinds.Length; i++)
        {
            command.Parameters.AddWithValue("$k" + i.ToString(CultureInfo.InvariantCulture), kinds[i]);
        }

        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Waits for the diagnostics message, then proposes a switchover: with its button when the message offers one, else with the command.</summary>
    public async Task ProposeSwitchoverAsync(string incidentId)
    {
        var diagnostics = await WaitForMessageAsync(m => BlocksText(m).Contains("Diagnostics:", StringComparison.Ordinal) && BlocksText(m).Contains(incidentId, StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the diagnostics message");
        var button = Buttons(diagnostics).FirstOrDefault(b => b.ActionId == "cerberus.propose" && b.Value == incidentId + "|switchover");
        var status = button.Value is not null
            ? await SendAsync(Click(button.ActionId, button.Value, Commander, diagnostics.Ts))
            : await CommandAsync("propose switchover");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>Outbox ids that reached the fake Slack as a message more than once (must be none).</summary>
    public IReadOnlyList<string> DuplicatedOutboxIds() =>
        [.. Slack.Messages.Where(m => m.OutboxId is not null).GroupBy(m => m.OutboxId!).Where(g => g.Count() > 1).Select(g => g.Key)];

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await Slack.DisposeAsync();
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_storeDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Short(string text) => text.Length > 120 ? text[..120] + "…" : text;

    private async Task<SqliteConnection> OpenStoreAsync()
    {
        var connection = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 5000";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }

    [GeneratedRegex(@"INC-\d{4}-\d{4,}")]
    private static partial Regex IncidentId();
}
