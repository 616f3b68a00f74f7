using Cerberus.ChatOps.ConsoleMode;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Slack.Api;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Access;

/// <summary>
/// The approver roster of <c>Cerberus:Approvers</c>: user ids (U…/W…) and break-glass actors (<c>cli:&lt;name&gt;</c>)
/// as they are, user groups (S…) expanded with usergroups.users.list and cached for
/// <see cref="ApprovalOptions.GroupCacheExpiry"/>. A group that cannot be resolved fails closed: its members cannot
/// approve, and every card says so. The local console's user is on the roster of that console only.
/// </summary>
internal sealed partial class ApproverRoster(
    IOptionsMonitor<IncidentOptions> options,
    TimeProvider time,
    ILogger<ApproverRoster> logger,
    ISlackApi? slack = null,
    LocalConsole? console = null) : IDisposable
{
    private readonly Dictionary<string, CachedGroup> _groups = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refresh = new(1, 1);

    /// <summary>The policy in force now: the resolved roster, the second-person rule, the expiry, and what failed.</summary>
    public async Task<ApprovalPolicy> PolicyAsync(CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var members = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var entry in current.Approvers.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()))
        {
            if (!IsGroup(entry))
            {
                members.Add(entry);
                continue;
            }

            var (groupMembers, problem) = await GroupAsync(entry, current.Approval.GroupCacheExpiry, cancellationToken);
            members.UnionWith(groupMembers);
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        if (console is not null)
        {
            members.Add(LocalConsole.UserId);
        }

        return new ApprovalPolicy(members, current.Approval.SecondPersonFor, current.Approval.Expiry, problems);
    }

    public void Dispose() => _refresh.Dispose();

    public static bool IsGroup(string entry) => entry.Length > 1 && entry[0] == 'S';

    private async Task<(IReadOnlyCollection<string> Members, string? Problem)> GroupAsync(string group, TimeSpan expiry, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_groups.TryGetValue(group, out var cached) && now - cached.FetchedAt < expiry)
            {
                return (cached.Members, null);
            }

            if (slack is null)
            {
                return ([], $"user group `{group}` could not be resolved (no Slack Web API here): its members cannot approve");
            }

            try
            {
                var members = await slack.UserGroupMembersAsync(group, cancellationToken);
                _groups[group] = new CachedGroup(members.ToHashSet(StringComparer.Ordinal), now);
                Log.GroupResolved(logger, group, members.Count);
                return (_groups[group].Members, null);
            }
            catch (SlackApiException ex)
            {
                // Fail closed: a stale member list could keep someone who left the group on the roster.
                _groups.Remove(group);
                Log.GroupFailed(logger, group, ex.Error);
                return ([], $"user group `{group}` could not be resolved ({ex.Error}): its members cannot approve until it is");
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private sealed record CachedGroup(IReadOnlySet<string> Members, DateTimeOffset FetchedAt);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Approver roster: user group {Group} has {Count} members")]
        public static partial void GroupResolved(ILogger logger, string group, int count);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Approver roster: user group {Group} could not be resolved ({Error}); its members cannot approve")]
        public static partial void GroupFailed(ILogger logger, string group, string error);
    }
}
