using Cerberus.ChatOps.Patroni;

namespace Cerberus.ChatOps.Diagnostics.Patroni;

/// <summary>
/// Every member's answers side by side, matched to /cluster members by the API address, with the reference view
/// (the one most members agree on) that the probe judges.
/// </summary>
internal sealed class PatroniView(
    IReadOnlyList<Uri> members,
    IReadOnlyList<PatroniAnswer<PatroniCluster>> clusters,
    IReadOnlyList<PatroniAnswer<PatroniNodeStatus>> statuses,
    IReadOnlyList<PatroniAnswer<PatroniDynamicConfig>> configs)
{
    public IReadOnlyList<Uri> Members => members;

    public IReadOnlyList<PatroniAnswer<PatroniCluster>> Clusters => clusters;

    public IReadOnlyList<PatroniAnswer<PatroniNodeStatus>> Statuses => statuses;

    /// <summary>The /cluster answer the probe judges: <see cref="PatroniCluster.Believed"/>, the rule the actions use too.</summary>
    public PatroniCluster? Reference { get; } = PatroniCluster.Believed(clusters);

    /// <summary>The first /config that answered, or Patroni's defaults (the actions read it the same way).</summary>
    public PatroniDynamicConfig Config { get; } = configs.Select(c => c.Value).FirstOrDefault(v => v is not null) ?? new PatroniDynamicConfig();

    public long MaximumLagOnFailover => Config.EffectiveMaximumLagOnFailover;

    public int LoopWait => Config.EffectiveLoopWait;

    public PatroniAnswer<PatroniCluster>? Cluster(Uri member) => clusters.FirstOrDefault(a => a.Member == member);

    public PatroniAnswer<PatroniNodeStatus>? Status(Uri member) => statuses.FirstOrDefault(a => a.Member == member);

    /// <summary>The /cluster member whose api_url points at this configured URL.</summary>
    public PatroniMember? MemberFor(Uri member) =>
        Reference?.Members.FirstOrDefault(m => SameEndpoint(m.ApiUrl, member));

    /// <summary>The /patroni answer of a /cluster member, when it is one of the configured URLs.</summary>
    public PatroniAnswer<PatroniNodeStatus>? StatusOf(PatroniMember member) =>
        members.FirstOrDefault(u => SameEndpoint(member.ApiUrl, u)) is { } url ? Status(url) : null;

    public string NameOf(Uri member) => MemberFor(member)?.Name ?? member.Authority;

    private static bool SameEndpoint(string? apiUrl, Uri member) =>
        Uri.TryCreate(apiUrl, UriKind.Absolute, out var api)
        && string.Equals(api.Host, member.Host, StringComparison.OrdinalIgnoreCase)
        && api.Port == member.Port;
}
