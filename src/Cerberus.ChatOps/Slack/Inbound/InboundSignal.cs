using Cerberus.ChatOps.Hosting;

namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>
/// Wakes the incident worker after an <see cref="Domain.Ports.InboundItem"/> was stored. The item itself lives in
/// the durable inbox; the signal only saves a polling delay.
/// </summary>
internal sealed class InboundSignal : WakeSignal;
