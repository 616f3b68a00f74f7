using Cerberus.ChatOps.Hosting;

namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>
/// Wakes the Slack outbox worker after outbox items were saved (the engine calls <see cref="WakeSignal.Notify"/>
/// after its transaction). The items live in the durable outbox; the signal only saves a polling delay.
/// </summary>
internal sealed class OutboxSignal : WakeSignal;
