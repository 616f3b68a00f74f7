using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.Incidents.Commands;

/// <summary>
/// Parses the text after <c>/dbincident</c>. Unknown or malformed text becomes <see cref="IncidentCommandKind.Help"/>
/// with a <see cref="IncidentCommand.Problem"/>: the user gets the help, ephemeral, never an error.
/// </summary>
internal static partial class IncidentCommandParser
{
    public const int MaxTextLength = 2000;

    public static IncidentCommand Parse(string? text)
    {
        var trimmed = (text ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            return new IncidentCommand(IncidentCommandKind.Help);
        }

        if (trimmed.Length > MaxTextLength)
        {
            return new IncidentCommand(IncidentCommandKind.Help, Problem: $"That text is too long ({trimmed.Length} characters; at most {MaxTextLength}).");
        }

        var space = trimmed.IndexOfAny([' ', '\t', '\n']);
        var verb = (space < 0 ? trimmed : trimmed[..space]).ToLowerInvariant();
        var rest = space < 0 ? string.Empty : trimmed[(space + 1)..].Trim();
        return verb switch
        {
            "help" or "?" => new IncidentCommand(IncidentCommandKind.Help),
            "start" or "declare" or "open" => new IncidentCommand(IncidentCommandKind.Start, rest),
            "status" => new IncidentCommand(IncidentCommandKind.Status),
            "ic" or "commander" => ParseCommander(rest),
            "note" => rest.Length == 0
                ? new IncidentCommand(IncidentCommandKind.Help, Problem: "A note needs text: `/dbincident note <text>`.")
                : new IncidentCommand(IncidentCommandKind.Note, rest),
            "diagnose" or "diag" => new IncidentCommand(IncidentCommandKind.Diagnose),
            "escalate" => new IncidentCommand(IncidentCommandKind.Escalate),
            "propose" or "action" => rest.Length == 0
                ? new IncidentCommand(IncidentCommandKind.Help, Problem: "Name the action: `/dbincident propose failover [candidate]`, `scale-down`, `scale-up`, `cleanup`, `drop-slot <name>`, `checkpoint`.")
                : new IncidentCommand(IncidentCommandKind.Propose, rest),
            "resolve" => ParseResolve(rest),
            "cancel" => new IncidentCommand(IncidentCommandKind.Cancel),
            "close" => new IncidentCommand(IncidentCommandKind.Close),
            "list" => new IncidentCommand(IncidentCommandKind.List),
            "report" => new IncidentCommand(IncidentCommandKind.Report, rest),
            "drill" => ParseDrill(rest),
            _ => new IncidentCommand(IncidentCommandKind.Help, Problem: $"I don't know `{Shorten(verb)}`."),
        };
    }

    private static IncidentCommand ParseCommander(string rest)
    {
        var match = Mention().Match(rest);
        return match.Success
            ? new IncidentCommand(IncidentCommandKind.Commander, rest, match.Groups["id"].Value)
            : new IncidentCommand(IncidentCommandKind.Help,
                Problem: "Name the new incident commander with a mention: `/dbincident ic @someone` (Slack must send it as <@U…>; enable \"Escape channels, users, and links\" on the command).");
    }

    private static IncidentCommand ParseDrill(string rest)
    {
        if (rest.StartsWith("--live", StringComparison.OrdinalIgnoreCase) && (rest.Length == 6 || char.IsWhiteSpace(rest[6])))
        {
            var name = rest[6..].Trim();
            return Drill.Live.LiveDrillScenario.Find(name) is { } live
                ? new IncidentCommand(IncidentCommandKind.LiveDrill, live.Name)
                : new IncidentCommand(IncidentCommandKind.Help, Problem: Drill.Live.LiveDrillScenario.NotYetAvailable.Contains(name.ToLowerInvariant())
                    ? $"The live drill `{Shorten(name)}` is not available yet; live drills: `/dbincident drill --live <{Drill.Live.LiveDrillScenario.Names}>`."
                    : $"Name the live drill scenario: `/dbincident drill --live <{Drill.Live.LiveDrillScenario.Names}>`.");
        }

        return Drill.DrillScenario.Find(rest) is { } scenario
            ? new IncidentCommand(IncidentCommandKind.Drill, scenario.Name)
            : new IncidentCommand(IncidentCommandKind.Help, Problem: $"Name the drill scenario: `/dbincident drill <{Drill.DrillScenario.Names}>` (simulated), or `/dbincident drill --live <{Drill.Live.LiveDrillScenario.Names}>` (a real fault, where enabled).");
    }

    private static IncidentCommand ParseResolve(string rest)
    {
        var force = false;
        if (rest.StartsWith("--force", StringComparison.OrdinalIgnoreCase))
        {
            force = true;
            rest = rest["--force".Length..].Trim();
        }

        return new IncidentCommand(IncidentCommandKind.Resolve, rest, Force: force);
    }

    private static string Shorten(string verb) => verb.Length <= 30 ? verb : verb[..30] + "…";

    [GeneratedRegex(@"<@(?<id>[UW][A-Z0-9]{2,})(?:\|[^>]*)?>", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();
}
