using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Tests.Domain;

public sealed class IncidentStateMachineTests
{
    [Fact]
    public void ToMermaid_MatchesTheDiagramInTheReadme()
    {
        // arrange
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

        // act
        var diagram = IncidentStateMachine.ToMermaid().Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

        // assert
        Assert.True(readme.Contains(diagram, StringComparison.Ordinal),
            "README.md's state diagram differs from the code. Paste this into the README's ```mermaid block:\n" + diagram);
    }

    internal static string RepositoryRoot() => Support.RepositoryFiles.Root;
}
