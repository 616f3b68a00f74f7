using Cerberus.ChatOps.Hosting;

namespace Cerberus.ChatOps.Slack.Outbound;

internal sealed class OutboxSignal : WakeSignal, IOutboxSignal;
