using System.Reflection;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Tests.Domain;

namespace Cerberus.ChatOps.Tests.Hosting;

/// <summary>The README lists every setting: each public property of every options class appears in its table.</summary>
public sealed class ReadmeSettingsTests
{
    // Bound from elsewhere: ActionsOptions.DryRun is filled from Cerberus:DryRun.
    private static readonly HashSet<string> Elsewhere = new(StringComparer.Ordinal) { "Cerberus:Actions:DryRun" };

    [Fact]
    public void Readme_ConfigurationTable_ListsEverySetting()
    {
        // arrange
        var lines = File.ReadAllLines(Path.Combine(IncidentStateMachineTests.RepositoryRoot(), "README.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        var missing = new List<string>();

        // act
        foreach (var (section, type) in OptionsTypes())
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                if (property.PropertyType.IsClass && property.PropertyType != typeof(string) && !property.PropertyType.IsGenericType)
                {
                    continue; // a nested section, checked as its own type
                }

                var key = $"{section}:{property.Name}";
                var prefix = section.Replace(":", "__", StringComparison.Ordinal) + "__";
                var word = new Regex($"(?<![A-Za-z0-9]){property.Name}(?![A-Za-z0-9])");
                if (!Elsewhere.Contains(key) && !lines.Any(l => l.Contains(prefix, StringComparison.Ordinal) && word.IsMatch(l)))
                {
                    missing.Add(key);
                }
            }
        }

        // assert
        Assert.True(missing.Count == 0, "README.md's configuration table lacks: " + string.Join(", ", missing));
    }

    private static IEnumerable<(string Section, Type Type)> OptionsTypes()
    {
        var assembly = typeof(Cerberus.ChatOps.Hosting.ProcessLease).Assembly;
        foreach (var type in assembly.GetTypes().Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.IsClass))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() is string section)
            {
                yield return (section, type);
                foreach (var nested in type.GetProperties().Where(p => p.PropertyType.Name.EndsWith("Options", StringComparison.Ordinal)))
                {
                    yield return ($"{section}:{nested.Name}", nested.PropertyType);
                }
            }
        }
    }
}
