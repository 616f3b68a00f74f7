namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>A log line that matched one or more signatures.</summary>
/// <param name="Source">pod/container, with "(previous)" for the terminated container's log.</param>
/// <param name="Timestamp">The kubelet's timestamp of the line, when it had one.</param>
/// <param name="Codes">The signature codes, in table order.</param>
/// <param name="Line">The line without its timestamp, secrets redacted, not escaped.</param>
internal sealed record LogMatch(string Source, DateTimeOffset? Timestamp, IReadOnlyList<string> Codes, string Line);
