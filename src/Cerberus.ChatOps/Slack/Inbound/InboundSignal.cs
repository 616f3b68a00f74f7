using Cerberus.ChatOps.Hosting;

namespace Cerberus.ChatOps.Slack.Inbound;

internal sealed class InboundSignal : WakeSignal, IInboundSignal;
