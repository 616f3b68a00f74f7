using Serilog.Core;
using Serilog.Events;

namespace Cerberus.ChatOps.Hosting.Logging;

/// <summary>Adds " (INC-…)" to text log lines that carry an IncidentId, so a terminal reader sees it too.</summary>
internal sealed class IncidentSuffixEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var suffix = logEvent.Properties.TryGetValue("IncidentId", out var id) && id is ScalarValue { Value: string s }
            ? $" ({s})"
            : string.Empty;
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("IncidentSuffix", suffix));
    }
}
