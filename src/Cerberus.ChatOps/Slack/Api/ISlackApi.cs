using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// Slack's Web API as the bot uses it. Every failure is a <see cref="SlackApiException"/> carrying Slack's error
/// code. 429s are waited out per method (up to <see cref="SlackOptions.MaxRetryAfter"/>); 5xx and network errors
/// are retried only for calls that are safe to repeat; chat.* calls are paced to about one a second per channel.
/// Calls that post (chat.postMessage, files.completeUploadExternal, chat.postEphemeral, response_url) are never
/// repeated by the HTTP layer after an ambiguous failure: the outbox looks for the message before posting again.
/// </summary>
internal interface ISlackApi
{
    /// <summary>auth.test: who the bot token belongs to.</summary>
    Task<SlackAuthInfo> AuthTestAsync(CancellationToken cancellationToken);

    /// <summary>
    /// chat.postMessage (in the thread <paramref name="threadTs"/> when set). With <paramref name="outboxId"/> the
    /// message carries <c>metadata</c> {event_type: cerberus_outbox, event_payload: {outbox_id}} so that
    /// <see cref="FindMessageByOutboxIdAsync"/> can find it after an uncertain send.
    /// </summary>
    Task<SlackPostResult> PostMessageAsync(string channel, SlackMessage message, string? threadTs, string? outboxId, CancellationToken cancellationToken);

    /// <summary>chat.update of the message <paramref name="ts"/>.</summary>
    Task UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken cancellationToken);

    /// <summary>chat.postEphemeral to <paramref name="user"/>; returns Slack's message_ts.</summary>
    Task<string> PostEphemeralAsync(string channel, string user, SlackMessage message, string? threadTs, CancellationToken cancellationToken);

    /// <summary>POST of the message to a response_url (https on slack.com, *.slack.com or slack-gov.com only).</summary>
    Task PostToResponseUrlAsync(string responseUrl, SlackMessage message, CancellationToken cancellationToken);

    /// <summary>conversations.create; returns the channel id.</summary>
    Task<string> CreateConversationAsync(string name, bool isPrivate, CancellationToken cancellationToken);

    /// <summary>conversations.invite (up to 1000 users); already being in the channel is not an error.</summary>
    Task InviteAsync(string channel, IReadOnlyList<string> userIds, CancellationToken cancellationToken);

    /// <summary>
    /// users.conversations (the bot's own non-archived public or private channels, paged): the id of the channel named
    /// <paramref name="name"/> created at or after <paramref name="createdSince"/>, or null. Needs channels:read
    /// (public) or groups:read (private).
    /// </summary>
    Task<string?> FindOwnChannelAsync(string name, bool isPrivate, DateTimeOffset createdSince, CancellationToken cancellationToken);

    /// <summary>
    /// conversations.history (or conversations.replies inside <paramref name="threadTs"/>) since
    /// <paramref name="oldest"/>: the ts of the message posted with <paramref name="outboxId"/> in its metadata, or null.
    /// </summary>
    Task<string?> FindMessageByOutboxIdAsync(string channel, string outboxId, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken);

    /// <summary>The ts of a message sharing a file named <paramref name="fileName"/> titled <paramref name="title"/>, or null.</summary>
    Task<string?> FindFileMessageAsync(string channel, string fileName, string title, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken);

    /// <summary>files.getUploadURLExternal → POST the bytes → files.completeUploadExternal; returns the file id.</summary>
    Task<string> UploadFileAsync(string channel, SlackFile file, string? threadTs, CancellationToken cancellationToken);

    /// <summary>usergroups.users.list: the user ids of a user group (S…); needs <c>usergroups:read</c>.</summary>
    Task<IReadOnlyList<string>> UserGroupMembersAsync(string userGroupId, CancellationToken cancellationToken);

    /// <summary>apps.connections.open with the app-level token: a Socket Mode WebSocket URL.</summary>
    Task<Uri> OpenSocketModeUrlAsync(CancellationToken cancellationToken);
}
