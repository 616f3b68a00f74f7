namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>How the promotion is asked of Patroni: decided from reality, at proposal and again at execution.</summary>
internal enum FailoverMode
{
    /// <summary>The leader is healthy: POST /switchover {leader, candidate}, a graceful demote.</summary>
    Switchover,

    /// <summary>No healthy leader: POST /failover {candidate}; Patroni skips its lag check, so we do it.</summary>
    Failover,
}
