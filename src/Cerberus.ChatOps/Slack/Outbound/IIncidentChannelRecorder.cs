namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>
/// Hands the outcome of an <see cref="OutboxKinds.OpenChannel"/> item back to its incident, as a posted header's ts
/// is handed back to the messages that refer to it: the incident moves to the opened channel, or stays in the
/// declaring channel's thread with the reason. Recorded once however often the item is retried; every call answers
/// with where the incident now lives.
/// </summary>
internal interface IIncidentChannelRecorder
{
    /// <summary>
    /// Records that <paramref name="channel"/> was opened for the incident, or (null) that none could be because of
    /// <paramref name="error"/>; null when the incident is unknown.
    /// </summary>
    Task<IncidentPlacement?> RecordAsync(string incidentId, string declaringChannel, string? channel, string? error, CancellationToken cancellationToken);
}
