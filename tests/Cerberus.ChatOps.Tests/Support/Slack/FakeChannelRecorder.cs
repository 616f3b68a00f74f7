using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>
/// The incident side of <see cref="OutboxKinds.OpenChannel"/>, as the engine behaves: the first outcome handed back
/// is the one recorded, and every call answers with it (a pointer only when a channel was opened).
/// </summary>
internal sealed class FakeChannelRecorder : IIncidentChannelRecorder
{
    private readonly Lock _lock = new();
    private readonly List<(string IncidentId, string Declaring, string? Channel, string? Error)> _calls = [];
    private IncidentPlacement? _settled;

    public IReadOnlyList<(string IncidentId, string Declaring, string? Channel, string? Error)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public Task<IncidentPlacement?> RecordAsync(string incidentId, string declaringChannel, string? channel, string? error, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _calls.Add((incidentId, declaringChannel, channel, error));
            _settled ??= new IncidentPlacement(
                channel ?? declaringChannel,
                new SlackMessage { Text = $"{incidentId} header" },
                channel is null ? null : new SlackMessage { Text = $"{incidentId} is worked in <#{channel}>" });
            return Task.FromResult<IncidentPlacement?>(_settled);
        }
    }
}
