using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Tests.Actions;

/// <summary>The leader's replication state as a test sets it, and the slots created on it (the lab uses the real <see cref="LeaderReplicationAccess"/>).</summary>
internal sealed class FakeLeaderReplicationAccess : ILeaderReplicationAccess
{
    /// <summary>What every read answers (replaced by a test between the proposal and the execution).</summary>
    public LeaderReplication Replication { get; set; } = Streaming("pg2", 0);

    /// <summary>Which leader the last read went to.</summary>
    public string? ReadOn { get; private set; }

    public BasebackupProgress? Basebackup { get; set; }

    /// <summary>pg2's slot present, pg2 streaming with <paramref name="lagBytes"/> to replay, 30 MiB of databases.</summary>
    public static LeaderReplication Streaming(string member, long lagBytes) =>
        new([new StandbyConnection(member, "streaming", "async", lagBytes)], [new LeaderSlot(member, "physical", true, "reserved")], 30L << 20, null);

    /// <summary>No pg_stat_replication row for the member; its slot present and inactive.</summary>
    public static LeaderReplication NotStreaming(string member, long? databaseBytes = 30L << 20) =>
        new([], [new LeaderSlot(member, "physical", false, "reserved")], databaseBytes, databaseBytes is null ? "permission denied for database secret" : null);

    public Task<LeaderReplication> ReadAsync(PatroniMember leader, CancellationToken cancellationToken)
    {
        ReadOn = leader.Name;
        return Task.FromResult(Replication);
    }

    public Task<BasebackupProgress?> ReadBasebackupAsync(PatroniMember leader, CancellationToken cancellationToken) => Task.FromResult(Basebackup);

    /// <summary>The slots created, in order.</summary>
    public List<string> CreatedSlots { get; } = [];

    /// <summary>When set, slot creation fails with this text.</summary>
    public string? CreateError { get; set; }

    public Task<(bool Created, string? Error)> CreateMemberSlotAsync(PatroniMember leader, string slot, CancellationToken cancellationToken)
    {
        if (CreateError is not null)
        {
            return Task.FromResult((false, (string?)CreateError));
        }

        CreatedSlots.Add(slot);
        Replication = Replication with { Slots = [.. Replication.Slots, new LeaderSlot(slot, "physical", false, "reserved")] };
        return Task.FromResult((true, (string?)null));
    }
}
