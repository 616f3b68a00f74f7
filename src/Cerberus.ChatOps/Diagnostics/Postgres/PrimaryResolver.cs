using Cerberus.ChatOps.Diagnostics.Patroni;
using Cerberus.ChatOps.Patroni;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>
/// Finds the real primary before the database probes look: Patroni's leader from <c>/cluster</c> (the view most
/// members agree on), the cluster's system identifier from <c>/patroni</c>, and, at the same time, what the configured
/// target is (<c>pg_is_in_recovery()</c>, <c>pg_control_system()</c>). Everything within <see cref="Budget"/>, so a
/// hung Patroni or a hung configured server leaves the probe its connect timeout. Never throws: what it cannot
/// learn stays null, and the probes fall back to the configured target.
/// </summary>
internal sealed partial class PrimaryResolver(
    IPatroniClient patroni,
    IPatroniIdentityClient identities,
    PostgresConnectionFactory connections,
    PrimaryResolutionCache cache,
    TimeProvider time,
    ILogger<PrimaryResolver> logger)
{
    /// <summary>Also the connectivity probe's identity columns; the text form of the start time is compared, never parsed.</summary>
    public const string IdentitySql = "SELECT pg_is_in_recovery(), (SELECT system_identifier::text FROM pg_control_system()), pg_postmaster_start_time()::text";

    /// <summary>What the probe's budget leaves after its connect timeout and 1 s of queries (at least 0.5 s, at most 3 s).</summary>
    public TimeSpan Budget
    {
        get
        {
            var o = connections.Options;
            var left = o.ProbeTimeout - o.ConnectTimeout - TimeSpan.FromSeconds(1);
            return left < TimeSpan.FromMilliseconds(500) ? TimeSpan.FromMilliseconds(500) : left > TimeSpan.FromSeconds(3) ? TimeSpan.FromSeconds(3) : left;
        }
    }

    public Task<PrimaryResolution> ResolveAsync(CancellationToken cancellationToken)
    {
        if (!connections.Options.FollowPatroniLeader || patroni.Members.Count == 0)
        {
            return Task.FromResult(PrimaryResolution.None);
        }

        // Not linked to the caller: the task is shared by the run's probes; each waits with its own token.
        return cache.GetOrStart(ResolveCoreAsync).WaitAsync(cancellationToken);
    }

    private async Task<PrimaryResolution> ResolveCoreAsync()
    {
        var started = time.GetTimestamp();
        using var budget = new CancellationTokenSource(Budget, time);
        var token = budget.Token;
        var clusterTask = Guard(patroni.GetClusterFromAllAsync(token), []);
        var identityTasks = patroni.Members.Select(m => Guard(identities.GetIdentityAsync(m, token), null)).ToList();
        using var skipConfigured = CancellationTokenSource.CreateLinkedTokenSource(token);
        var configuredTask = CheckAsync(null, skipConfigured.Token);
        await Task.WhenAll(clusterTask, Task.WhenAll(identityTasks));

        var clusters = await clusterTask;
        var view = new PatroniView(patroni.Members, clusters, [], []);
        var ids = identityTasks.Select(t => t.Result).Where(i => i is not null).ToList();
        var reference = view.Reference;
        var leader = reference?.Leader;
        string? problem = reference is null ? "no Patroni member answered /cluster in time"
            : leader is null ? (reference.Leaders.Count == 0 ? "Patroni reports no leader" : "Patroni lists more than one leader")
            : leader.Host is null ? $"/cluster gives no host for the leader {leader.Name}"
            : null;
        var leaderEndpoint = leader?.Host is { } host ? new PostgresEndpoint(host, leader.Port ?? 5432) : null;

        // The configured target is the leader's own address: its identity is the leader's, no need to wait for it
        // (a hung leader would cost the whole budget twice).
        ServerIdentity? configured = null;
        if (leaderEndpoint is not null && Equals(leaderEndpoint, connections.ConfiguredEndpoint))
        {
            await skipConfigured.CancelAsync();
        }
        else
        {
            configured = await configuredTask;
        }

        var resolution = new PrimaryResolution
        {
            Leader = leaderEndpoint,
            LeaderName = leader?.Name,
            Members = reference?.Members ?? [],
            ClusterSystemIdentifier = ids.Select(i => i!.SystemIdentifier).FirstOrDefault(s => !string.IsNullOrEmpty(s)),
            Scope = ids.Select(i => i!.Scope).FirstOrDefault(s => !string.IsNullOrEmpty(s)),
            PatroniProblem = problem,
            Configured = configured,
        };
        Log.Resolved(logger, resolution.Leader?.ToString() ?? "(none)", resolution.LeaderName ?? "(none)", problem ?? "ok", time.GetElapsedTime(started).TotalMilliseconds);
        return resolution;
    }

    /// <summary>Asks one server (null: the configured target) whether it is a standby and which cluster it belongs to.</summary>
    public async Task<ServerIdentity> CheckAsync(PostgresEndpoint? endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = connections.Create(endpoint, connectTimeout: Budget);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(IdentitySql, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new ServerIdentity(reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ServerIdentity.Failed(PostgresFailure.From(ex, cancellationToken.IsCancellationRequested, Budget).Description);
        }
    }

    private static async Task<T> Guard<T>(Task<T> task, T fallback)
    {
        try
        {
            return await task;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return fallback;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Primary resolved to {Endpoint} (Patroni leader {Leader}, {Problem}) in {ElapsedMs:0} ms")]
        public static partial void Resolved(ILogger logger, string endpoint, string leader, string problem, double elapsedMs);
    }
}
