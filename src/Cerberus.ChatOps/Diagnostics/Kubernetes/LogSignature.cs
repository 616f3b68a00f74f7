using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>One known error signature of PostgreSQL or Patroni logs.</summary>
/// <param name="Code">The stable short code (docs/kubernetes.md lists them); what classification reads.</param>
/// <param name="Pattern">What a log line must contain.</param>
/// <param name="Critical">True when the signature alone makes the probe CRIT (PANIC, disk full...).</param>
/// <param name="Generic">True for a catch-all (FATAL) reported only when no specific signature matched the line.</param>
internal sealed record LogSignature(string Code, Regex Pattern, bool Critical, bool Generic = false);
