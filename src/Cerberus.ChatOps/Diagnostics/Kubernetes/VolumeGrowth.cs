namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>Growth of a volume between its oldest kept sample and now; <see cref="TimeToFull"/> is null when not growing.</summary>
internal sealed record VolumeGrowth(TimeSpan Over, double BytesPerHour, TimeSpan? TimeToFull);
