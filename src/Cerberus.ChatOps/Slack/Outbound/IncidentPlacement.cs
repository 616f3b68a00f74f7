namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>
/// Where an incident is worked once its channel was opened (or could not be): the channel of its header, the header
/// to post there, and the pointer to leave in the declaring channel when the incident moved.
/// </summary>
internal sealed record IncidentPlacement(string Channel, SlackMessage Header, SlackMessage? Pointer);
