namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>The runbook's branches the findings are sorted into; it decides which actions come first.</summary>
public enum Classification
{
    Healthy,
    PrimaryUnresponsive,
    DiskFull,
    ConnectionExhaustion,
    ReplicationBroken,
    Inconclusive,

    /// <summary>Transaction IDs near wraparound: the server warns, or refuses commands that assign one.</summary>
    TransactionIdWraparound,

    /// <summary>Patroni cannot reach its DCS: no failover can go through, so none is proposed.</summary>
    DcsUnreachable,
}
