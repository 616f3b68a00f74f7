using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Tests.Domain;

namespace Cerberus.ChatOps.Tests.Access;

/// <summary>README's "Access control" table and <see cref="AccessRules"/> say the same thing, row by row.</summary>
public sealed class AccessRulesReadmeTests
{
    [Fact]
    public void Readme_AccessControlTable_AgreesWithTheCode()
    {
        // arrange
        var readme = File.ReadAllLines(Path.Combine(IncidentStateMachineTests.RepositoryRoot(), "README.md"));
        var start = Array.IndexOf(readme, "## Access control");
        Assert.True(start >= 0, "README.md has no '## Access control' section");
        var rows = readme.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| what", StringComparison.Ordinal) && !l.StartsWith("|---", StringComparison.Ordinal))
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .ToList();

        // act
        var problems = new List<string>();
        foreach (var (operation, role) in AccessRules.All)
        {
            var verb = AccessRules.Verb(operation);
            var row = rows.SingleOrDefault(r => r[0].StartsWith(verb, StringComparison.Ordinal));
            if (row is null)
            {
                problems.Add($"no row for '{verb}'");
                continue;
            }

            string[] expected = role switch
            {
                AccessRole.Anyone => ["✓", "✓", "✓"],
                AccessRole.CommanderOrRoster => ["—", "✓", "✓"],
                _ => ["—", "—", "✓"],
            };
            if (!row.Skip(1).SequenceEqual(expected))
            {
                problems.Add($"'{verb}': README says {string.Join(" ", row.Skip(1))}, the code says {string.Join(" ", expected)} ({role})");
            }
        }

        // assert
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(AccessRules.All.Count, rows.Count);
    }
}
