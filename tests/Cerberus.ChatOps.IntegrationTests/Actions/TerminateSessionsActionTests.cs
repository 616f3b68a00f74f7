using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.IntegrationTests.Support;
using Cerberus.ChatOps.Tests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>
/// The session clean-up on the standalone server: real sessions idle in transaction, a lock holder blocking a
/// reader, and sessions it must never touch (one that calls itself Patroni, a superuser's); one commits between the
/// approval and the execution and is skipped.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class TerminateSessionsActionTests(LabFixture fixture)
{
    private const string Role = "cerberus_conn_test";
    private const string Password = "conn-test-Pw1";
    private const string Table = "public.cerberus_conn_lock";

    [Fact]
    public async Task Terminate_IdleAndLockRootWithProtectedSessions_EndsOnlyTheApprovedThatStillQualify()
    {
        // arrange
        var admin = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;
        await LabSql.ExecAsync(admin, $"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (id int); DROP ROLE IF EXISTS {Role}; CREATE ROLE {Role} LOGIN PASSWORD '{Password}'; GRANT SELECT, UPDATE ON {Table} TO {Role}");
        var app = new NpgsqlConnectionStringBuilder(admin) { Username = Role, Password = Password };
        var opened = new List<NpgsqlConnection>();
        Task<object?>? waiting = null;
        try
        {
            var longQuery = "SELECT 'a`b' AS tick, '" + new string('x', 100) + "' AS tail_never_shown";
            var idle = await OpenIdleInTransactionAsync(opened, app, "conn-idle", longQuery);
            var holder = await OpenIdleInTransactionAsync(opened, app, "conn-holder", $"LOCK TABLE {Table} IN ACCESS EXCLUSIVE MODE");
            var patroni = await OpenIdleInTransactionAsync(opened, app, "Patroni", "SELECT 2");
            var dba = await OpenIdleInTransactionAsync(opened, new NpgsqlConnectionStringBuilder(admin), "dba-psql", "SELECT 3");
            var waiter = await OpenAsync(opened, new NpgsqlConnectionStringBuilder(admin) { ApplicationName = "conn-waiter" });
            var blocked = new NpgsqlCommand($"SELECT count(*) FROM {Table}", waiter);
            waiting = blocked.ExecuteScalarAsync();
            await Eventually.Async(async () => await LabSql.ScalarAsync<int>(admin, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'conn-waiter' AND wait_event_type = 'Lock'") == 1,
                TimeSpan.FromSeconds(10), "the waiter did not queue behind the holder", Eventually.ServerInterval);
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            var action = new ActionHarness(fixture.Lab).TerminateSessions(new PostgresOptions
            {
                ConnectionString = fixture.Lab.MonitorConnectionString,
                IdleInTransactionWarn = TimeSpan.FromSeconds(1),
                LockWaitWarn = TimeSpan.FromSeconds(1),
            });

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None);
            var record = proposal.Action!;
            await using (var commit = new NpgsqlCommand("COMMIT", idle))
            {
                await commit.ExecuteNonQueryAsync();
            }

            var observed = await action.ObserveAsync(record, CancellationToken.None);
            var progress = new ListProgress();
            var executed = await action.ExecuteAsync(record, progress, CancellationToken.None);
            foreach (var (key, value) in executed.Figures)
            {
                record.Figures[key] = value;
            }

            var verified = await action.VerifyAsync(record, CancellationToken.None);
            await waiting.WaitAsync(TimeSpan.FromSeconds(10));

            // assert
            Assert.True(proposal.Action is not null, proposal.NotApplicableReason);
            var lines = record.Description.Split('\n').Where(l => l.StartsWith("• pid ", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, lines.Count);
            Assert.StartsWith($"• pid {holder.ProcessID} · `{Role}` · `conn-holder` · 127.0.0.1 · lock-tree root (idle in transaction): blocks 1 session(s), the longest waiting ", lines[0], StringComparison.Ordinal);
            Assert.EndsWith("`LOCK TABLE public.cerberus_conn_lock IN ACCESS EXCLUSIVE MODE`", lines[0], StringComparison.Ordinal);
            Assert.StartsWith($"• pid {idle.ProcessID} · `{Role}` · `conn-idle` · 127.0.0.1 · idle in transaction for ", lines[1], StringComparison.Ordinal);
            Assert.EndsWith("`" + longQuery[..80].Replace('`', '\'') + "…`", lines[1], StringComparison.Ordinal);
            Assert.DoesNotContain("tail_never_shown", record.Description, StringComparison.Ordinal);
            Assert.DoesNotContain($"pid {patroni.ProcessID} ·", record.Description, StringComparison.Ordinal);
            Assert.Contains($"pid {patroni.ProcessID} (Patroni's session)", record.BasedOn, StringComparison.Ordinal);
            Assert.Contains($"pid {dba.ProcessID} (a superuser's session", record.BasedOn, StringComparison.Ordinal);
            Assert.DoesNotContain($"pid {waiter.ProcessID}", record.Description + record.BasedOn, StringComparison.Ordinal);
            Assert.Equal(record.ObservedFingerprint, observed);
            Assert.True(executed.Succeeded, executed.Summary);
            Assert.Equal("1", executed.Figures[ActionFigureKeys.SessionsTerminated]);
            Assert.Contains($"terminated 1 of the 2 approved session(s) (pid {holder.ProcessID}); 1 skipped (pid {idle.ProcessID}: no longer idle in that transaction (now idle))", executed.Summary, StringComparison.Ordinal);
            Assert.True(int.Parse(executed.Figures[ActionFigureKeys.ConnectionsAfter], CultureInfo.InvariantCulture) < int.Parse(executed.Figures[ActionFigureKeys.ConnectionsBefore], CultureInfo.InvariantCulture));
            Assert.Contains(progress.Lines, l => l == $"pid {idle.ProcessID} skipped: no longer idle in that transaction (now idle)");
            Assert.True(verified.Succeeded, verified.Summary);
            Assert.StartsWith("Verified: none of the 1 terminated session(s) is left; client connections ", verified.Summary, StringComparison.Ordinal);
            Assert.Equal(0, await LabSql.ScalarAsync<int>(admin, $"SELECT count(*) FROM pg_stat_activity WHERE pid = {holder.ProcessID}"));
            Assert.Equal(3, await LabSql.ScalarAsync<int>(admin, $"SELECT count(*) FROM pg_stat_activity WHERE pid IN ({idle.ProcessID}, {patroni.ProcessID}, {dba.ProcessID})"));
        }
        finally
        {
            foreach (var c in opened)
            {
                await c.DisposeAsync();
            }

            if (waiting is not null)
            {
                await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(5)));
            }

            await LabSql.ExecAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{Role}'; DROP TABLE IF EXISTS {Table}");
            await Eventually.Async(async () => await LabSql.ScalarAsync<int>(admin, $"SELECT count(*) FROM pg_stat_activity WHERE usename = '{Role}'") == 0,
                TimeSpan.FromSeconds(10), "the test role's sessions did not end", Eventually.ServerInterval);
            await LabSql.ExecAsync(admin, $"DROP OWNED BY {Role}; DROP ROLE IF EXISTS {Role}");
        }
    }

    [Fact]
    public async Task Propose_OperatorRoleWithoutReadAllStats_RefusesBecauseOtherRolesSessionsCannotBeJudged()
    {
        // arrange: an operator role that may signal but, without pg_read_all_stats, sees other roles' sessions blank
        const string operatorRole = "cerberus_conn_signal_only";
        var admin = new NpgsqlConnectionStringBuilder(fixture.Lab.PostgresConnectionString) { Pooling = false }.ConnectionString;
        await LabSql.ExecAsync(admin, $"DROP ROLE IF EXISTS {operatorRole}; CREATE ROLE {operatorRole} LOGIN PASSWORD '{Password}'; GRANT pg_signal_backend TO {operatorRole}");
        try
        {
            var harness = new ActionHarness(fixture.Lab);
            harness.ActionsOptions.PostgresConnectionString = new NpgsqlConnectionStringBuilder(admin) { Username = operatorRole, Password = Password }.ConnectionString;
            var action = harness.TerminateSessions(new PostgresOptions { ConnectionString = fixture.Lab.MonitorConnectionString });

            // act
            var proposal = await action.ProposeAsync(ActionHarness.Request(), CancellationToken.None);

            // assert
            Assert.Null(proposal.Action);
            Assert.StartsWith("The operator role cannot see other roles' sessions", proposal.NotApplicableReason, StringComparison.Ordinal);
            Assert.Contains("GRANT pg_monitor (or pg_read_all_stats) TO it", proposal.NotApplicableReason, StringComparison.Ordinal);
        }
        finally
        {
            await LabSql.ExecAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{operatorRole}'");
            await Eventually.Async(async () => await LabSql.ScalarAsync<int>(admin, $"SELECT count(*) FROM pg_stat_activity WHERE usename = '{operatorRole}'") == 0,
                TimeSpan.FromSeconds(10), "the operator role's sessions did not end", Eventually.ServerInterval);
            await LabSql.ExecAsync(admin, $"DROP ROLE IF EXISTS {operatorRole}");
        }
    }

    private static async Task<NpgsqlConnection> OpenIdleInTransactionAsync(List<NpgsqlConnection> opened, NpgsqlConnectionStringBuilder builder, string application, string sql)
    {
        var connection = await OpenAsync(opened, new NpgsqlConnectionStringBuilder(builder.ConnectionString) { ApplicationName = application });
        await using var command = new NpgsqlCommand("BEGIN; " + sql, connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task<NpgsqlConnection> OpenAsync(List<NpgsqlConnection> opened, NpgsqlConnectionStringBuilder builder)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        opened.Add(connection);
        return connection;
    }
}
