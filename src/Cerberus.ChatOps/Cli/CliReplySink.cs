using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Cli;

/// <summary>Keeps the engine's private answers for the terminal instead of sending them to Slack.</summary>
internal sealed class CliReplySink : IReplySink
{
    private readonly Lock _gate = new();
    private readonly List<SlackMessage> _messages = [];

    public IReadOnlyList<SlackMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public void Deliver(SlackMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            _messages.Add(message);
        }
    }
}
