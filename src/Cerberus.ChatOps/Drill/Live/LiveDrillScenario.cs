namespace Cerberus.ChatOps.Drill.Live;

/// <summary>A fault a live drill injects into the real (staging) cluster.</summary>
/// <param name="Name">As typed after <c>drill --live</c>.</param>
/// <param name="Title">What it is, for the summary and the thread.</param>
internal sealed record LiveDrillScenario(string Name, string Title)
{
    /// <summary>An inactive physical slot that reserves WAL, filled past the diagnosis' critical threshold; its remedy is the slot drop.</summary>
    public static readonly LiveDrillScenario SlotFill = new("slot-fill", "an inactive replication slot retaining WAL");

    public static IReadOnlyList<LiveDrillScenario> All { get; } = [SlotFill];

    /// <summary>Named in the issue but not built yet: recognised, and answered with what exists.</summary>
    public static IReadOnlyList<string> NotYetAvailable { get; } = ["leader-stop"];

    public static string Names => string.Join("|", All.Select(s => s.Name));

    public static LiveDrillScenario? Find(string? name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The scenario of a live drill incident from its summary ("LIVE DRILL slot-fill: …").</summary>
    public static LiveDrillScenario? OfSummary(string? summary) =>
        All.FirstOrDefault(s => (summary ?? string.Empty).StartsWith(Domain.Incidents.LiveDrillResult.SummaryPrefix + s.Name, StringComparison.Ordinal));
}
