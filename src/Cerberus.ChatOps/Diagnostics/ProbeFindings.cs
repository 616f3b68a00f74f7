using System.Globalization;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Diagnostics;

/// <summary>
/// What a probe collects while it runs: the worst status so far, the problems (which become the summary), detail
/// lines, facts and the earliest symptom time. Every text goes through <see cref="SecretRedactor"/>.
/// </summary>
internal sealed class ProbeFindings(string probe)
{
    private readonly List<string> _problems = [];
    private readonly List<string> _details = [];
    private readonly Dictionary<string, string> _facts = new(StringComparer.Ordinal);

    public string Probe => probe;

    public ProbeStatus Status { get; private set; } = ProbeStatus.Ok;

    public DateTimeOffset? SymptomSince { get; private set; }

    public IReadOnlyDictionary<string, string> Facts => _facts;

    /// <summary>Records a problem; the status only gets worse (UNKNOWN does not hide a WARN or CRIT already found).</summary>
    public void Problem(ProbeStatus status, string text)
    {
        Status = (Status, status) switch
        {
            (_, ProbeStatus.Ok) => Status,
            (ProbeStatus.Ok, _) => status,
            (ProbeStatus.Unknown, _) => status,
            (_, ProbeStatus.Unknown) => Status,
            _ => status > Status ? status : Status,
        };
        _problems.Add(SecretRedactor.Redact(text));
    }

    public void Detail(string line) => _details.Add(SecretRedactor.Redact(line));

    public void Fact(string key, string value) => _facts[key] = SecretRedactor.Redact(value);

    public void Fact(string key, long value) => _facts[key] = value.ToString(CultureInfo.InvariantCulture);

    public void Fact(string key, double value) => _facts[key] = (Math.Round(value, 1) + 0.0).ToString(CultureInfo.InvariantCulture);

    public void Fact(string key, bool value) => _facts[key] = value ? "true" : "false";

    /// <summary>Keeps the earliest time a symptom can be dated to.</summary>
    public void Since(DateTimeOffset? when)
    {
        if (when is { } w && (SymptomSince is null || w < SymptomSince))
        {
            SymptomSince = w;
        }
    }

    /// <summary>The result: the problems joined as the summary, or <paramref name="okSummary"/> when there are none.</summary>
    public ProbeResult Build(string okSummary, TimeSpan duration) =>
        new(probe, Status, _problems.Count == 0 ? SecretRedactor.Redact(okSummary) : string.Join("; ", _problems), _details.ToList(), new Dictionary<string, string>(_facts, StringComparer.Ordinal), duration, SymptomSince);

    /// <summary>A probe that cannot run because it has no configuration: UNKNOWN, and ignored by the classifier.</summary>
    public static ProbeResult NotConfigured(string probe, string setting, TimeSpan duration)
    {
        var findings = new ProbeFindings(probe);
        findings.Problem(ProbeStatus.Unknown, $"not configured: set {setting}");
        findings.Fact(DiagnosisFactKeys.NotConfigured, true);
        return findings.Build(string.Empty, duration);
    }
}
