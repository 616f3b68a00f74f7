namespace Cerberus.ChatOps.Kubernetes;

/// <summary>One way to measure the free space of the postgres data volume; <see cref="DataVolumeMeter"/> tries the enabled ones in turn.</summary>
internal interface IVolumeStatsSource
{
    /// <summary>Short name for messages ("exec df", "kubelet Summary API", "Prometheus").</summary>
    string Name { get; }

    /// <summary>Whether the configuration turned this source on.</summary>
    bool Enabled { get; }

    /// <summary>Measures <paramref name="volume"/> (a PVC, or a pod volume) of <paramref name="pod"/>; never throws for an API or HTTP failure.</summary>
    Task<VolumeSourceResult> ReadAsync(k8s.IKubernetes client, PostgresPod pod, DataVolume volume, CancellationToken cancellationToken);
}
