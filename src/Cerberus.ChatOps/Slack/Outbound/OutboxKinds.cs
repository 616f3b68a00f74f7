namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>Values of <see cref="Domain.Ports.OutboxItem.Kind"/>: how the outbox worker sends an item.</summary>
internal static class OutboxKinds
{
    /// <summary><c>chat.postMessage</c> to the channel; the ts is remembered under <c>MessageRef</c> when set.</summary>
    public const string Post = "post";

    /// <summary><c>chat.postMessage</c> with <c>thread_ts</c> = the ts remembered under <c>MessageRef</c>.</summary>
    public const string Thread = "thread";

    /// <summary><c>chat.update</c> of the message remembered under <c>MessageRef</c>.</summary>
    public const string Update = "update";

    /// <summary><c>chat.postEphemeral</c> to <see cref="SlackMessage.User"/> in the channel (thread when MessageRef is set).</summary>
    public const string Ephemeral = "ephemeral";

    /// <summary>A POST of the message to <see cref="SlackMessage.ResponseUrl"/> (5 uses in 30 minutes).</summary>
    public const string ResponseUrl = "response_url";

    /// <summary>A file (<see cref="SlackMessage.File"/>) through files.getUploadURLExternal → upload → files.completeUploadExternal, into the thread of MessageRef when set.</summary>
    public const string File = "file";

    /// <summary>
    /// An incident's own channel, then its header: conversations.create of <see cref="SlackMessage.NewChannel"/> and
    /// conversations.invite, the outcome recorded in the incident (<see cref="IIncidentChannelRecorder"/>), the pointer
    /// posted in <c>Channel</c> (the declaring one) and the header in the channel the incident is worked in, its ts
    /// remembered under <c>MessageRef</c>. Until then <c>ResultTs</c> holds the channel decided on.
    /// </summary>
    public const string OpenChannel = "open_channel";

    /// <summary>
    /// An Events API v2 event for PagerDuty (payload: <see cref="Paging.PagerDutyEvent"/>, without the routing key).
    /// Its items share the channel <see cref="PagerDutyChannel"/>, so they keep their order among themselves and a
    /// PagerDuty outage never holds back the Slack messages.
    /// </summary>
    public const string PagerDuty = "pagerduty";

    public const string PagerDutyChannel = "pagerduty";
}
