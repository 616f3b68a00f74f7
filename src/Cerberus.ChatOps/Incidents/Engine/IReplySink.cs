using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Receives the engine's private answers (refusals, help, status) directly instead of the outbox, for callers that
/// are not Slack (the break-glass CLI). Public messages still go to the outbox and reach the channel later.
/// </summary>
internal interface IReplySink
{
    void Deliver(SlackMessage message);
}
