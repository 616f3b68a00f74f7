using System.Diagnostics;
using Cerberus.ChatOps.IntegrationTests.Support;
using Npgsql;

namespace Cerberus.ChatOps.IntegrationTests.Actions;

/// <summary>The action connections' server-side timeouts, on the real standalone server.</summary>
[Collection(LabCollection.Name)]
public sealed class PostgresConnectorTests(LabFixture fixture)
{
    [Fact]
    public async Task OpenPrimaryAsync_Configured_SessionCarriesStatementAndLockTimeout()
    {
        // arrange
        var harness = new ActionHarness(fixture.Lab);
        harness.ActionsOptions.StatementTimeout = TimeSpan.FromSeconds(45);
        harness.ActionsOptions.LockTimeout = TimeSpan.FromMilliseconds(1500);

        // act
        await using var connection = await harness.Connector().OpenPrimaryAsync(CancellationToken.None);
        await using var show = new NpgsqlCommand("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')", connection);
        await using var reader = await show.ExecuteReaderAsync();
        await reader.ReadAsync();

        // assert
        Assert.Equal("45s", reader.GetString(0));
        Assert.Equal("1500ms", reader.GetString(1));
    }

    [Fact]
    public async Task OpenPrimaryAsync_TableLockedByAnotherSession_StatementEndsOnLockTimeoutOnTheServer()
    {
        // arrange: another session holds ACCESS EXCLUSIVE; no client command timeout is involved (30 s)
        var harness = new ActionHarness(fixture.Lab);
        harness.ActionsOptions.LockTimeout = TimeSpan.FromMilliseconds(300);
        await using var holder = new NpgsqlConnection(fixture.Lab.PostgresConnectionString);
        await holder.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS public.cerberus_connector_lock (x int)", holder))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockIt = new NpgsqlCommand("LOCK TABLE public.cerberus_connector_lock IN ACCESS EXCLUSIVE MODE", holder, tx))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        await using var connection = await harness.Connector().OpenPrimaryAsync(CancellationToken.None);
        await using var read = new NpgsqlCommand("SELECT count(*) FROM public.cerberus_connector_lock", connection);
        var watch = Stopwatch.StartNew();

        // act
        var ex = await Assert.ThrowsAsync<PostgresException>(() => read.ExecuteScalarAsync());
        watch.Stop();
        await tx.RollbackAsync();

        // assert
        Assert.Equal("55P03", ex.SqlState);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }
}
