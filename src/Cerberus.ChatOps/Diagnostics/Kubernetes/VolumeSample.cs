namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>One measurement of a data volume.</summary>
internal sealed record VolumeSample(DateTimeOffset At, long UsedBytes, long AvailableBytes);
