using Cerberus.ChatOps.Diagnostics.Patroni;

namespace Cerberus.ChatOps.Tests.Diagnostics;

/// <summary>/patroni identities by member; a member without one answers nothing (as a hung or refusing member does).</summary>
internal sealed class FakePatroniIdentityClient : IPatroniIdentityClient
{
    public Dictionary<Uri, PatroniIdentity> Identities { get; } = [];

    public Task<PatroniIdentity?> GetIdentityAsync(Uri member, CancellationToken cancellationToken) =>
        Task.FromResult(Identities.GetValueOrDefault(member));
}
