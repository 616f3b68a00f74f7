using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// The frame of every database probe: a budget (<see cref="PostgresOptions.ProbeTimeout"/>) linked to the caller's
/// token, a fresh unpooled connection, and a failure turned into a result instead of an exception. A probe that
/// cannot look says what timed out or failed (connecting, or querying) and is UNKNOWN. The server is Patroni's
/// leader when <see cref="PrimaryResolver"/> names one (the configured target otherwise): the primary-side checks
/// run on the real primary even after a failover moved it.
/// </summary>
internal abstract class PostgresProbe(PostgresConnectionFactory connections, PrimaryResolver primary, TimeProvider time) : IDiagnosticProbe
{
    public const string ConnectionStringSetting = "Cerberus__Postgres__ConnectionString";

    public abstract string Name { get; }

    public TimeSpan Timeout => connections.Options.ProbeTimeout;

    protected PostgresConnectionFactory Connections => connections;

    protected PostgresOptions Options => connections.Options;

    protected TimeProvider Time => time;

    protected PrimaryResolver Primary => primary;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (!connections.IsConfigured)
        {
            return ProbeFindings.NotConfigured(Name, ConnectionStringSetting, time.GetElapsedTime(started));
        }

        using var budget = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var findings = new ProbeFindings(Name);
        var context = new PostgresProbeContext(null, connections.Target, PrimaryResolution.None);
        var connected = false;
        try
        {
            var resolution = await primary.ResolveAsync(linked.Token);
            var endpoint = resolution.Endpoint;
            context = new PostgresProbeContext(endpoint, endpoint?.ToString() ?? connections.Target, resolution);
            findings.Fact(DiagnosisFactKeys.PostgresTarget, context.Target);
            findings.Fact(DiagnosisFactKeys.TargetSource, context.OnLeader ? "patroni_leader" : "configured");
            if (context.OnLeader)
            {
                findings.Fact(DiagnosisFactKeys.TargetMember, resolution.LeaderName ?? string.Empty);
                findings.Fact(DiagnosisFactKeys.ConfiguredTarget, connections.Target);
            }

            await using var connection = connections.Create(endpoint);
            await connection.OpenAsync(linked.Token);
            connected = true;
            var summary = await ExamineAsync(connection, context, findings, linked.Token);
            return findings.Build(summary, time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = PostgresFailure.From(ex, budget.IsCancellationRequested, Timeout);
            findings.Fact(DiagnosisFactKeys.PostgresTarget, context.Target);
            return await FailedAsync(context, findings, failure, connected, started, linked.Token);
        }
    }

    /// <summary>Queries the open connection, records findings, and returns the summary for when nothing is wrong.</summary>
    protected abstract Task<string> ExamineAsync(NpgsqlConnection connection, PostgresProbeContext context, ProbeFindings findings, CancellationToken cancellationToken);

    /// <summary>The result when connecting or querying failed. Default: UNKNOWN, saying which step failed and how.</summary>
    protected virtual Task<ProbeResult> FailedAsync(PostgresProbeContext context, ProbeFindings findings, PostgresFailure failure, bool connected, long started, CancellationToken cancellationToken)
    {
        var step = connected ? $"querying {context.Target}" : $"connecting to {context.Target}";
        var how = failure.Outcome == PostgresFailure.TimedOut && !connected && failure.Description == "timed out"
            ? $"timed out after {Durations.Format(Options.ConnectTimeout)}"
            : failure.Description;
        findings.Problem(ProbeStatus.Unknown, failure.Outcome == PostgresFailure.TimedOut ? $"{step} {how}" : $"{step}: {how}");
        if (failure.SqlState is { } state)
        {
            findings.Fact(DiagnosisFactKeys.SqlState, state);
        }

        return Task.FromResult(findings.Build(string.Empty, time.GetElapsedTime(started)));
    }

    protected static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    protected static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    protected static long? NullableLong(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    protected static double? NullableDouble(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    protected static DateTimeOffset? NullableTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
}
