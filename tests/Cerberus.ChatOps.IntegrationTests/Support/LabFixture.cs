namespace Cerberus.ChatOps.IntegrationTests.Support;

/// <summary>Shared by the lab collection: the lab's environment and a Patroni helper.</summary>
public sealed class LabFixture
{
    private readonly Lazy<LabEnvironment> _lab = new(LabEnvironment.FromEnvironment);

    /// <summary>The lab; throws with the one-line "how to start it" message when it is not running.</summary>
    public LabEnvironment Lab => _lab.Value;

    public PatroniLab Patroni => new(Lab);
}
