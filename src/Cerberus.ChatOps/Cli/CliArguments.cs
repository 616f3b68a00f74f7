namespace Cerberus.ChatOps.Cli;

/// <summary>
/// <c>incident &lt;verb&gt; [words…] [--option value] [--flag]</c>, parsed. Words are the positionals in order;
/// <c>--name value</c> options and bare flags (<c>--force</c>, <c>--dry-run</c>, <c>--accept-risk</c>) are kept apart.
/// </summary>
internal sealed record CliArguments(string Verb, IReadOnlyList<string> Words, IReadOnlyDictionary<string, string> Options, IReadOnlySet<string> Flags)
{
    public static readonly IReadOnlySet<string> KnownFlags = new HashSet<string>(StringComparer.Ordinal) { "force", "dry-run", "accept-risk", "drill" };

    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var words = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var name = arg[2..];
                var equals = name.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    options[name[..equals]] = name[(equals + 1)..];
                }
                else if (KnownFlags.Contains(name) || i + 1 >= args.Count)
                {
                    flags.Add(name);
                }
                else
                {
                    options[name] = args[++i];
                }
            }
            else
            {
                words.Add(arg);
            }
        }

        var verb = words.Count == 0 ? "help" : words[0].ToLowerInvariant();
        return new CliArguments(verb, words.Skip(1).ToList(), options, flags);
    }

    public string? Option(string name) => Options.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public bool Flag(string name) => Flags.Contains(name);

    public string Rest => string.Join(' ', Words);
}
