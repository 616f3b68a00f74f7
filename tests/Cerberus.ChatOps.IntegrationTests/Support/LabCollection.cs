namespace Cerberus.ChatOps.IntegrationTests.Support;

/// <summary>
/// Tests that use the shared lab run one at a time: a switchover in one test must not surprise another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "lab";
}
