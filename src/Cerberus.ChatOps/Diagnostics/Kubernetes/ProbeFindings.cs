using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>Collects a probe's verdicts section by section: the worst status wins, every section adds a summary part.</summary>
internal sealed class ProbeFindings(string probe)
{
    private readonly List<string> _summary = [];

    public ProbeStatus Status { get; private set; } = ProbeStatus.Ok;

    public List<string> Details { get; } = [];

    public Dictionary<string, string> Facts { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset? SymptomSince { get; private set; }

    /// <summary>Raises the status; UNKNOWN only wins over OK (a known CRIT stays CRIT when another section timed out).</summary>
    public void Raise(ProbeStatus status)
    {
        Status = (Status, status) switch
        {
            (ProbeStatus.Ok, _) => status,
            (ProbeStatus.Unknown, ProbeStatus.Warn or ProbeStatus.Crit) => status,
            (ProbeStatus.Warn, ProbeStatus.Crit) => status,
            _ => Status,
        };
    }

    public void Summary(string part) => _summary.Add(part);

    public void Symptom(DateTimeOffset? at)
    {
        if (at is { } t && (SymptomSince is null || t < SymptomSince))
        {
            SymptomSince = t;
        }
    }

    public ProbeResult ToResult(TimeSpan duration) =>
        new(probe, Status, _summary.Count == 0 ? "nothing to report" : string.Join("; ", _summary) + ".", Details, Facts, duration, SymptomSince);
}
