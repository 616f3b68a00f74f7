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
}
