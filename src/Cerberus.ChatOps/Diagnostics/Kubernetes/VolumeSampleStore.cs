namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>
/// Keeps the last hour of volume samples in memory (a singleton), per volume, so growth and time to full can be told
/// once two samples exist. Lost on restart, which only delays the estimate by one probe run.
/// </summary>
internal sealed class VolumeSampleStore
{
    public const int MaxSamplesPerVolume = 240;

    /// <summary>Ten years: beyond that, "time to full" means "not in this incident".</summary>
    public const double MaxHours = 24 * 365 * 10;

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Dictionary<string, List<VolumeSample>> _samples = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Adds a sample and returns the growth since the oldest sample of the last hour (null for the first sample).</summary>
    public VolumeGrowth? Add(string volume, VolumeSample sample)
    {
        lock (_lock)
        {
            if (!_samples.TryGetValue(volume, out var list))
            {
                list = [];
                _samples[volume] = list;
            }

            list.RemoveAll(s => s.At < sample.At - Window || s.At > sample.At);
            list.Add(sample);
            if (list.Count > MaxSamplesPerVolume)
            {
                list.RemoveRange(0, list.Count - MaxSamplesPerVolume);
            }

            var oldest = list[0];
            var over = sample.At - oldest.At;
            if (list.Count < 2 || over <= TimeSpan.Zero)
            {
                return null;
            }

            var perHour = (sample.UsedBytes - oldest.UsedBytes) / over.TotalHours;
            TimeSpan? toFull = perHour > 0 ? TimeSpan.FromHours(Math.Min(sample.AvailableBytes / perHour, MaxHours)) : null;
            return new VolumeGrowth(over, perHour, toFull);
        }
    }
}
