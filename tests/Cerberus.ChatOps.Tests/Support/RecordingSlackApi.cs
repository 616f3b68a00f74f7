using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>Our Slack port, recording the direct calls the engine makes (channel creation and invites).</summary>
internal sealed class RecordingSlackApi : ISlackApi
{
    public List<string> Created { get; } = [];

    public List<(string Channel, IReadOnlyList<string> Users)> Invites { get; } = [];

    public string? FailCreateWith { get; set; }

    public Task<string> CreateConversationAsync(string name, bool isPrivate, CancellationToken cancellationToken)
    {
        if (FailCreateWith is { } error)
        {
            throw new SlackApiException("conversations.create", error);
        }

        Created.Add(name);
        return Task.FromResult("C0OWN" + Created.Count);
    }

    public Task InviteAsync(string channel, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        Invites.Add((channel, userIds));
        return Task.CompletedTask;
    }

    public Task<SlackAuthInfo> AuthTestAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>User groups and their members, for the approver roster; a group not listed answers no_such_subteam.</summary>
    public Dictionary<string, string[]> UserGroups { get; } = new(StringComparer.Ordinal);

    public int UserGroupCalls { get; private set; }

    public Task<IReadOnlyList<string>> UserGroupMembersAsync(string userGroupId, CancellationToken cancellationToken)
    {
        UserGroupCalls++;
        return UserGroups.TryGetValue(userGroupId, out var members)
            ? Task.FromResult<IReadOnlyList<string>>(members)
            : throw new SlackApiException("usergroups.users.list", "no_such_subteam");
    }

    public Task<SlackPostResult> PostMessageAsync(string channel, SlackMessage message, string? threadTs, string? outboxId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<string> PostEphemeralAsync(string channel, string user, SlackMessage message, string? threadTs, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task PostToResponseUrlAsync(string responseUrl, SlackMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();


    public Task<string?> FindMessageByOutboxIdAsync(string channel, string outboxId, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<string?> FindFileMessageAsync(string channel, string fileName, string title, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<string> UploadFileAsync(string channel, SlackFile file, string? threadTs, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Uri> OpenSocketModeUrlAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
