using System.Globalization;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Patroni;

/// <summary>
/// Reads a <see cref="ClusterLook"/>: <c>/cluster</c> from every configured member (believed as the diagnostics
/// believe it), <c>/history</c> from the first member that answers, and, in parallel, <c>/patroni</c> of every
/// <c>/cluster</c> member through its <c>api_url</c> and of the extra members asked for (former leaders that dropped
/// out of <c>/cluster</c>). Each GET has the client's own per-member timeout.
/// </summary>
internal static class ClusterLookReader
{
    public static async Task<ClusterLook> ReadAsync(IPatroniClient patroni, IReadOnlyDictionary<string, string?> extraApiUrls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patroni);
        ArgumentNullException.ThrowIfNull(extraApiUrls);
        var historyTask = HistoryAsync(patroni, cancellationToken);
        var answers = await patroni.GetClusterFromAllAsync(cancellationToken);
        var ok = answers.Where(a => a.Value is not null).ToList();
        var cluster = ok.Count == 0 ? null : PatroniCluster.Believed(ok);
        var error = ok.Count == 0
            ? "no Patroni member answered /cluster (" + string.Join("; ", answers.Select(a => $"{a.Member.Authority}: {SecretRedactor.Redact(a.Error ?? a.StatusCode?.ToString(CultureInfo.InvariantCulture))}")) + ")"
            : null;

        var targets = new Dictionary<string, Uri?>(StringComparer.Ordinal);
        foreach (var member in cluster?.Members ?? [])
        {
            targets[member.Name] = ClusterLook.ApiRoot(member.ApiUrl);
        }

        foreach (var (name, api) in extraApiUrls.Where(e => !targets.ContainsKey(e.Key)))
        {
            targets[name] = ClusterLook.ApiRoot(api);
        }

        var statuses = await Task.WhenAll(targets.Select(async t =>
            (t.Key, Status: t.Value is { } api ? (await patroni.GetStatusAsync(api, cancellationToken)).Value : null)));
        return new ClusterLook(cluster, error, await historyTask, statuses.ToDictionary(s => s.Key, s => s.Status, StringComparer.Ordinal));
    }

    private static async Task<IReadOnlyList<PatroniHistoryEntry>?> HistoryAsync(IPatroniClient patroni, CancellationToken cancellationToken)
    {
        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetHistoryAsync(member, cancellationToken)).Value is { } history)
            {
                return history;
            }
        }

        return null;
    }
}
