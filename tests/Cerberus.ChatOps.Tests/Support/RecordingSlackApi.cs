using System.Globalization;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>
/// Our Slack port in memory: records channel creation and invites, and keeps what is posted (with its outbox id, so
/// the outbox worker's look-ups find it) for an outbox pass run against it. Channel names are unique, as in Slack
/// (<c>name_taken</c>). Faults on demand: a failed create, a create whose answer is lost, a slow create, a crash.
/// </summary>
internal sealed class RecordingSlackApi : ISlackApi
{
    private readonly Lock _lock = new();
    private readonly List<RecordedChannel> _channels = [];
    private readonly List<RecordedPost> _posts = [];
    private int _ts;
    private int _createCalls;

    /// <summary>The names of the channels created through conversations.create, in order.</summary>
    public List<string> Created { get; } = [];

    public List<(string Channel, IReadOnlyList<string> Users)> Invites { get; } = [];

    public List<(string Channel, string Ts, SlackMessage Message)> Updates { get; } = [];

    public List<SlackMessage> Replies { get; } = [];

    /// <summary>Every conversations.create call, answered or not.</summary>
    public int CreateCalls => _createCalls;

    public string? FailCreateWith { get; set; }

    /// <summary>The next create fails with this error before Slack does anything (e.g. <c>internal_error</c>, which may have run).</summary>
    public string? FailNextCreateWith { get; set; }

    /// <summary>The next create makes the channel, then its answer is lost (HTTP 500): Slack's ambiguous failure.</summary>
    public bool LoseNextCreateAnswer { get; set; }

    /// <summary>While set and not completed, conversations.create waits for it: a slow or rate-limited Slack.</summary>
    public TaskCompletionSource? CreateGate { get; set; }

    /// <summary>Completed when a conversations.create call arrives.</summary>
    public TaskCompletionSource CreateCalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The next chat.postMessage whose text contains this reaches Slack, and then the process dies before it hears the
    /// answer (thrown as an exception that is not a Slack error), once.
    /// </summary>
    public string? CrashAfterPostContaining { get; set; }

    /// <summary>Stamps each channel's creation time (Slack's <c>created</c>).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public IReadOnlyList<RecordedPost> Posts
    {
        get
        {
            lock (_lock)
            {
                return [.. _posts];
            }
        }
    }

    /// <summary>A channel that existed before (someone else's, or an old one of ours that the bot left).</summary>
    public void AddExistingChannel(string id, string name, DateTimeOffset createdAt)
    {
        lock (_lock)
        {
            _channels.Add(new RecordedChannel(id, name, createdAt, BotIsMember: false));
        }
    }

    public async Task<string> CreateConversationAsync(string name, bool isPrivate, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _createCalls);
        CreateCalled.TrySetResult();
        if (CreateGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FailCreateWith is { } error)
        {
            throw new SlackApiException("conversations.create", error);
        }

        if (FailNextCreateWith is { } once)
        {
            FailNextCreateWith = null;
            throw new SlackApiException("conversations.create", once);
        }

        string id;
        lock (_lock)
        {
            if (_channels.Any(c => c.Name == name))
            {
                throw new SlackApiException("conversations.create", "name_taken");
            }

            Created.Add(name);
            id = "C0OWN" + Created.Count.ToString(CultureInfo.InvariantCulture);
            _channels.Add(new RecordedChannel(id, name, Clock.GetUtcNow(), BotIsMember: true));
        }

        if (LoseNextCreateAnswer)
        {
            LoseNextCreateAnswer = false;
            throw new SlackApiException("conversations.create", "http_500", 500);
        }

        return id;
    }

    public Task InviteAsync(string channel, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Invites.Add((channel, userIds));
        }

        return Task.CompletedTask;
    }

    public Task<string?> FindOwnChannelAsync(string name, bool isPrivate, DateTimeOffset createdSince, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_channels.FirstOrDefault(c => c.BotIsMember && c.Name == name && c.CreatedAt >= createdSince)?.Id);
        }
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

    public Task<SlackPostResult> PostMessageAsync(string channel, SlackMessage message, string? threadTs, string? outboxId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        string ts;
        lock (_lock)
        {
            ts = NextTs();
            _posts.Add(new RecordedPost(channel, ts, threadTs, outboxId, message));
        }

        if (CrashAfterPostContaining is { } marker && message.Text.Contains(marker, StringComparison.Ordinal))
        {
            CrashAfterPostContaining = null;
            throw new InvalidOperationException("the process was killed before Slack's answer arrived");
        }

        return Task.FromResult(new SlackPostResult(channel, ts));
    }

    public Task<string?> FindMessageByOutboxIdAsync(string channel, string outboxId, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_posts.FirstOrDefault(p => p.Channel == channel && p.OutboxId == outboxId && p.ThreadTs == threadTs)?.Ts);
        }
    }

    public Task UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Updates.Add((channel, ts, message));
        }

        return Task.CompletedTask;
    }

    public Task<string> PostEphemeralAsync(string channel, string user, SlackMessage message, string? threadTs, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Replies.Add(message);
            return Task.FromResult(NextTs());
        }
    }

    public Task PostToResponseUrlAsync(string responseUrl, SlackMessage message, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Replies.Add(message);
        }

        return Task.CompletedTask;
    }


    public Task<string?> FindFileMessageAsync(string channel, string fileName, string title, string? threadTs, DateTimeOffset oldest, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<string> UploadFileAsync(string channel, SlackFile file, string? threadTs, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Uri> OpenSocketModeUrlAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    private string NextTs() => string.Create(CultureInfo.InvariantCulture, $"1764122400.{++_ts:000000}");

    private sealed record RecordedChannel(string Id, string Name, DateTimeOffset CreatedAt, bool BotIsMember);
}
