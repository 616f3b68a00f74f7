using Cerberus.ChatOps.Domain.Text;
using Serilog.Core;
using Serilog.Events;

namespace Cerberus.ChatOps.Hosting.Logging;

/// <summary>Rewrites every string property that carries a secret (token, password, credentials in a URL).</summary>
internal sealed class RedactingEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (value is ScalarValue { Value: string text })
            {
                var redacted = SecretRedactor.Redact(text);
                if (!ReferenceEquals(redacted, text) && !string.Equals(redacted, text, StringComparison.Ordinal))
                {
                    logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(redacted)));
                }
            }
        }
    }
}
