using System.Text;
using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.SystemTests.Deployment;

/// <summary>A small Dockerfile reader: enough to check the structure without a Docker engine.</summary>
internal static partial class Dockerfile
{
    public static IReadOnlyList<DockerStage> Parse(string text)
    {
        var stages = new List<DockerStage>();
        string? image = null;
        string? name = null;
        var instructions = new List<DockerInstruction>();
        foreach (var line in LogicalLines(text))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : line[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                if (image is not null)
                {
                    stages.Add(new DockerStage(image, name, instructions));
                }

                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToArray();
                image = parts[0];
                name = parts.Length >= 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null;
                instructions = [];
                continue;
            }

            if (image is null)
            {
                throw new InvalidOperationException($"instruction before the first FROM: {line}");
            }

            instructions.Add(new DockerInstruction(keyword, arguments));
        }

        if (image is not null)
        {
            stages.Add(new DockerStage(image, name, instructions));
        }

        return stages;
    }

    /// <summary><c>KEY=value KEY2="value two"</c>, or the legacy <c>KEY value</c> form.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Assignments(string arguments)
    {
        var firstToken = arguments.Split(' ', 2)[0];
        if (!firstToken.Contains('=', StringComparison.Ordinal))
        {
            var space = arguments.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0
                ? new(arguments, string.Empty)
                : new(arguments[..space], arguments[(space + 1)..].Trim().Trim('"'));
            yield break;
        }

        foreach (Match m in Assignment().Matches(arguments))
        {
            yield return new(m.Groups["key"].Value, m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["plain"].Value);
        }
    }

    private static IEnumerable<string> LogicalLines(string text)
    {
        var current = new StringBuilder();
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1].TrimEnd()).Append(' ');
                continue;
            }

            current.Append(line);
            var logical = current.ToString().Trim();
            current.Clear();
            if (logical.Length > 0)
            {
                yield return logical;
            }
        }
    }

    [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_.-]*)=(?:"(?<quoted>[^"]*)"|(?<plain>\S*))""")]
    private static partial Regex Assignment();
}
