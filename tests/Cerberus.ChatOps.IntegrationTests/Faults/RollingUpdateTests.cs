using System.Net;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Cerberus.ChatOps.Tests.Support.Host;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Faults;

/// <summary>
/// A rolling update on the PostgreSQL store (the several-replica store): a new host process starts, the old one gets
/// SIGTERM (or kill -9) in the middle of a batched clean-up or of a real switchover, with one or two new processes
/// competing for the hand-over. Exactly one execution, the right rows deleted or one timeline change, a ledger that
/// ends Succeeded exactly once; and an approval whose process died before the action started never runs unasked.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class RollingUpdateTests(LabFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Older = 40_000;
    private const int Newer = 2_000;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    public async Task Cleanup_OldProcessStoppedMidBatches_NewProcessFinishesItExactlyOnce(bool graceful, int newProcesses)
    {
        // arrange: a slow audit table (every DELETE statement sleeps 50 ms) and a store database of its own
        var lab = fixture.Lab;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var table = "rolling_" + suffix;
        var storeDatabase = "cerberus_store_" + suffix;
        await SeedAsync(lab, table, storeDatabase);
        var storeConnection = new NpgsqlConnectionStringBuilder(lab.PostgresConnectionString) { Database = storeDatabase }.ConnectionString;
        await using var faults = await FaultHost.CreateAsync(lab, new()
        {
            ["Cerberus__Store__Provider"] = "Postgres",
            ["Cerberus__Store__ConnectionString"] = storeConnection,
            ["Cerberus__Actions__PostgresConnectionString"] = lab.PostgresConnectionString,
            ["Cerberus__Cleanup__Table"] = "audit." + table,
            ["Cerberus__Cleanup__BatchSize"] = "200",
            ["Cerberus__ExecutionHeartbeat"] = "00:00:06",
        });
        var id = await faults.StartIncidentAsync("disk filling with audit rows");
        await WaitForStateAsync(storeConnection, id, "AwaitingDecision");
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("propose cleanup"));
        var (value, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);

        // act: approve, let some batches commit, start the new pod(s), stop the old one
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, FaultHost.Approver, cardTs)));
        await Eventually.Async(() => OlderLeftAsync(lab, table), left => left < Older * 3 / 4, Step, "the old process did not delete a quarter of the old rows", Poll);
        var replacements = new List<CerberusHostProcess>();
        for (var i = 0; i < newProcesses; i++)
        {
            replacements.Add(await faults.StartReplicaAsync());
        }

        if (graceful)
        {
            await faults.Host!.TerminateAsync(TimeSpan.FromSeconds(30));
        }
        else
        {
            faults.Kill();
        }

        var stoppedAt = DateTime.UtcNow;
        var leftAtHandOver = await OlderLeftAsync(lab, table);
        await WaitForStateAsync(storeConnection, id, "Mitigated", "AwaitingDecision");
        output.WriteLine($"{(graceful ? "SIGTERM" : "kill -9")} with {leftAtHandOver} of {Older} old rows left, {newProcesses} new process(es) → verified after {(DateTime.UtcNow - stoppedAt).TotalSeconds:0.0} s");

        // assert
        Assert.True(leftAtHandOver > 0, "the old process finished before it was terminated: the test proved nothing");
        Assert.Equal(0, await OlderLeftAsync(lab, table));
        Assert.Equal(Newer, await NewerLeftAsync(lab, table));
        var document = await DocumentAsync(storeConnection, id);
        Assert.Equal("Mitigated", document["State"]!.GetValue<string>());
        var action = Assert.Single(document["Actions"]!.AsArray(), a => a!["Kind"]!.GetValue<string>() == "AuditLogCleanup")!;
        Assert.Equal("Succeeded", action["Status"]!.GetValue<string>());
        var timeline = document["Timeline"]!.AsArray().Select(e => e!["Text"]!.GetValue<string>()).ToList();
        Assert.Single(timeline, t => t.StartsWith("started AuditLogCleanup", StringComparison.Ordinal));
        Assert.Single(timeline, t => t.StartsWith("AuditLogCleanup on", StringComparison.Ordinal) && t.Contains(" succeeded:", StringComparison.Ordinal));
        Assert.Equal(graceful, timeline.Any(t => t.Contains("stopped at a safe point", StringComparison.Ordinal)));
        Assert.All(replacements, r => Assert.False(r.HasExited, r.OutputTail));
    }

    [Fact]
    public async Task Cleanup_KilledAfterTheApprovalBeforeItStarted_NothingRunsAndTheNewProcessSaysSo()
    {
        // arrange
        var lab = fixture.Lab;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var table = "approved_" + suffix;
        var storeDatabase = "cerberus_store_" + suffix;
        await SeedAsync(lab, table, storeDatabase);
        var storeConnection = new NpgsqlConnectionStringBuilder(lab.PostgresConnectionString) { Database = storeDatabase }.ConnectionString;
        await using var faults = await FaultHost.CreateAsync(lab, new()
        {
            ["Cerberus__Store__Provider"] = "Postgres",
            ["Cerberus__Store__ConnectionString"] = storeConnection,
            ["Cerberus__Actions__PostgresConnectionString"] = lab.PostgresConnectionString,
            ["Cerberus__Cleanup__Table"] = "audit." + table,
            ["Cerberus__ExecutionHeartbeat"] = "00:00:06",

            // The hold below is a lock wait of the re-check: it must outlast the kill (the default 5 s lock_timeout
            // would end it, record a failure, and there would be no approved-never-started entry to find).
            ["Cerberus__Actions__LockTimeout"] = "00:05:00",

            // The kill can land while the dead process has a message of this channel in flight: its claim holds the
            // channel's later messages (the "nothing ran" one) back until it lapses (5 min by default).
            ["Slack__OutboxClaimTimeout"] = "00:00:20",
        });
        var id = await faults.StartIncidentAsync("approved, then the pod died");
        await WaitForStateAsync(storeConnection, id, "AwaitingDecision");
        Assert.Equal(HttpStatusCode.OK, await faults.CommandAsync("propose cleanup"));
        var (value, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);

        // act: hold the process between the approval and "Started" — the audit table is locked (the re-check before
        // the first side effect waits on it) and, once the approval is saved, so is the incident's row (the Started
        // write waits on it) — then kill -9 it and let a new process find the approval
        await using var holder = new NpgsqlConnection(lab.PostgresConnectionString);
        await holder.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE audit.{table} IN ACCESS EXCLUSIVE MODE", holder, holding))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        await using var rowHolder = new NpgsqlConnection(storeConnection);
        await rowHolder.OpenAsync();
        await using var rowHolding = await rowHolder.BeginTransactionAsync();
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, FaultHost.Approver, cardTs)));
        await Eventually.Async(async () => ActionStatus(await DocumentAsync(storeConnection, id)), status => status == "Approved", Step, "the approval was not saved", TimeSpan.FromMilliseconds(10));
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM cerberus.incidents WHERE id = @id FOR UPDATE", rowHolder, rowHolding))
        {
            lockRow.Parameters.AddWithValue("id", id);
            await lockRow.ExecuteNonQueryAsync();
        }

        var statusAtKill = ActionStatus(await DocumentAsync(storeConnection, id));
        Assert.Equal("Approved", statusAtKill);
        faults.Kill();
        await rowHolding.RollbackAsync();
        await holding.RollbackAsync();
        var replacement = await faults.StartReplicaAsync();
        var killedAt = DateTime.UtcNow;
        try
        {
            await faults.WaitForTextAsync("was approved and before it started: nothing ran", Step);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nStatus now: {ActionStatus(await DocumentAsync(storeConnection, id))}\nReplacement:\n{replacement.OutputTail}", ex);
        }

        output.WriteLine($"kill -9 between the approval and Started → the new process said so in the thread after {(DateTime.UtcNow - killedAt).TotalSeconds:0.0} s");
        await WaitForStateAsync(storeConnection, id, "AwaitingDecision");

        // assert
        Assert.Equal("Approved", statusAtKill);
        Assert.Equal(Older, await OlderLeftAsync(lab, table));
        var document = await DocumentAsync(storeConnection, id);
        Assert.Equal("Interrupted", ActionStatus(document));
        var timeline = document["Timeline"]!.AsArray().Select(e => e!["Text"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain(timeline, t => t.StartsWith("started AuditLogCleanup", StringComparison.Ordinal));
        Assert.Single(timeline, t => t.Contains("interrupted by a restart before it started", StringComparison.Ordinal));
        Assert.False(replacement.HasExited, replacement.OutputTail);
    }

    private static string ActionStatus(JsonNode document) =>
        document["Actions"]!.AsArray().Single(a => a!["Kind"]!.GetValue<string>() == "AuditLogCleanup")!["Status"]!.GetValue<string>();

    [Fact]
    public async Task Switchover_OldProcessTerminatedWhileItRuns_OneTimelineChangeAndOneVerifiedLedgerEntry()
    {
        // arrange
        var lab = fixture.Lab;
        var (_, timelineBefore) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));
        var storeDatabase = "cerberus_store_" + Guid.NewGuid().ToString("N")[..8];
        await CreateDatabaseAsync(lab, storeDatabase);
        var storeConnection = new NpgsqlConnectionStringBuilder(lab.PostgresConnectionString) { Database = storeDatabase }.ConnectionString;
        await using var faults = await FaultHost.CreateAsync(lab, new()
        {
            ["Cerberus__Store__Provider"] = "Postgres",
            ["Cerberus__Store__ConnectionString"] = storeConnection,
            ["Cerberus__ExecutionHeartbeat"] = "00:00:06",
        });
        var id = await faults.StartIncidentAsync("switch under a rolling update");
        await WaitForStateAsync(storeConnection, id, "AwaitingDecision");
        await faults.ProposeSwitchoverAsync(id);
        var (value, cardTs) = await faults.WaitForButtonAsync("cerberus.approve", v => v.StartsWith(id + "|", StringComparison.Ordinal), Step);

        // act: the old process is terminated as soon as the ledger says Started
        Assert.Equal(HttpStatusCode.OK, await faults.SendAsync(faults.Click("cerberus.approve", value, FaultHost.Approver, cardTs)));
        await Eventually.Async(async () => (await DocumentAsync(storeConnection, id))["Actions"]!.AsArray().Select(a => a!["Status"]!.GetValue<string>()).ToList(),
            statuses => statuses.Any(status => status is not "Proposed" and not "Approved"), Step, "the switchover did not start", Poll);
        var replacement = await faults.StartReplicaAsync();
        await faults.Host!.TerminateAsync(TimeSpan.FromSeconds(30));
        await WaitForStateAsync(storeConnection, id, "Mitigated", "AwaitingDecision");
        var (_, timelineAfter) = PatroniLab.LeaderOf(await fixture.Patroni.WaitSettledAsync(TimeSpan.FromSeconds(90)));

        // assert
        Assert.Equal(timelineBefore + 1, timelineAfter);
        var document = await DocumentAsync(storeConnection, id);
        Assert.Equal("Mitigated", document["State"]!.GetValue<string>());
        var action = Assert.Single(document["Actions"]!.AsArray())!;
        Assert.Equal("Succeeded", action["Status"]!.GetValue<string>());
        var timeline = document["Timeline"]!.AsArray().Select(e => e!["Text"]!.GetValue<string>()).ToList();
        Assert.Single(timeline, t => t.StartsWith("started Switchover", StringComparison.Ordinal));
        Assert.Single(timeline, t => t.StartsWith("verification of Switchover passed", StringComparison.Ordinal));
        Assert.False(replacement.HasExited, replacement.OutputTail);
    }

    private static async Task CreateDatabaseAsync(LabEnvironment lab, string database)
    {
        await using var connection = new NpgsqlConnection(lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
    }

    private static async Task SeedAsync(LabEnvironment lab, string table, string storeDatabase)
    {
        await CreateDatabaseAsync(lab, storeDatabase);
        await using var connection = new NpgsqlConnection(lab.PostgresConnectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            $"""
            CREATE SCHEMA IF NOT EXISTS audit;
            CREATE TABLE audit.{table} (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, payload text NOT NULL);
            INSERT INTO audit.{table} (created_at, payload)
              SELECT now() - interval '91 days' - make_interval(secs => g), repeat('old', 20) FROM generate_series(1, {Older}) g;
            INSERT INTO audit.{table} (created_at, payload)
              SELECT now() - make_interval(secs => g), repeat('new', 20) FROM generate_series(1, {Newer}) g;
            CREATE INDEX ON audit.{table} (created_at);
            CREATE OR REPLACE FUNCTION audit.slow_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END $$;
            CREATE TRIGGER slow AFTER DELETE ON audit.{table} FOR EACH STATEMENT EXECUTE FUNCTION audit.slow_{table}();
            ANALYZE audit.{table};
            """, connection);
        await seed.ExecuteNonQueryAsync();
    }

    private static Task<long> OlderLeftAsync(LabEnvironment lab, string table) =>
        ScalarAsync(lab.PostgresConnectionString, $"SELECT count(*) FROM audit.{table} WHERE created_at < now() - interval '90 days'");

    private static Task<long> NewerLeftAsync(LabEnvironment lab, string table) =>
        ScalarAsync(lab.PostgresConnectionString, $"SELECT count(*) FROM audit.{table} WHERE created_at >= now() - interval '90 days'");

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<JsonNode> DocumentAsync(string storeConnection, string id)
    {
        await using var connection = new NpgsqlConnection(storeConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT document::text FROM cerberus.incidents WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return JsonNode.Parse((string)(await command.ExecuteScalarAsync())!)!;
    }

    private static Task WaitForStateAsync(string storeConnection, string id, params string[] states) =>
        Eventually.Async(async () => (await DocumentAsync(storeConnection, id))["State"]!.GetValue<string>(), state => states.Contains(state), Step,
            $"{id} did not reach {string.Join('|', states)}", Poll);
}
