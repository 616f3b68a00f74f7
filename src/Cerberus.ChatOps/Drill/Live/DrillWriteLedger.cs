using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Drill.Live;

/// <summary>
/// The writer's bookkeeping: every write it attempts gets the next sequence number; a write is acknowledged only
/// when the primary answered its autocommit INSERT (the commit was acknowledged), with the LSN the INSERT returned.
/// A write that got an error, a timeout or no answer is not acknowledged: it may or may not be in the table, and it
/// is never counted as lost. Thread-safe: the writer adds while the drill reads.
/// </summary>
internal sealed class DrillWriteLedger
{
    private readonly Lock _gate = new();
    private readonly List<(long Sequence, string Lsn)> _acknowledged = [];
    private long _next;
    private long _failed;

    public long Acknowledged
    {
        get
        {
            lock (_gate)
            {
                return _acknowledged.Count;
            }
        }
    }

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The sequence number of the next write (1, 2, 3…).</summary>
    public long Next() => Interlocked.Increment(ref _next);

    public void Acknowledge(long sequence, string lsn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lsn);
        lock (_gate)
        {
            _acknowledged.Add((sequence, lsn));
        }
    }

    public void Fail() => Interlocked.Increment(ref _failed);

    /// <summary>
    /// Compares the acknowledged writes with the sequence numbers the primary has after recovery: survived are the
    /// acknowledged ones found, lost the acknowledged ones missing (by sequence and LSN, in order). Rows found that
    /// were never acknowledged (an answer lost in flight) are neither.
    /// </summary>
    public (long Survived, IReadOnlyList<LostWrite> Lost) Compare(IReadOnlySet<long> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        lock (_gate)
        {
            var lost = _acknowledged.Where(a => !found.Contains(a.Sequence)).OrderBy(a => a.Sequence).Select(a => new LostWrite(a.Sequence, a.Lsn)).ToList();
            return (_acknowledged.Count - lost.Count, lost);
        }
    }
}
