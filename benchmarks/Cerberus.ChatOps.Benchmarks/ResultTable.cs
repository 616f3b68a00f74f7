using System.Globalization;

namespace Cerberus.ChatOps.Benchmarks;

/// <summary>The rows printed at the end: what, the figure, the goal, met or not.</summary>
internal sealed class ResultTable
{
    private readonly List<(string What, string Figure, string Goal, string Verdict)> _rows = [];

    public static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Seconds(double ms) => (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";

    public void Add(string what, string figure, string goal = "", bool? met = null) =>
        _rows.Add((what, figure, goal, met switch { true => "met", false => "MISSED", null => string.Empty }));

    public void Print(TextWriter output)
    {
        var w1 = Math.Max(6, _rows.Max(r => r.What.Length));
        var w2 = Math.Max(6, _rows.Max(r => r.Figure.Length));
        var w3 = Math.Max(4, _rows.Max(r => r.Goal.Length));
        output.WriteLine($"| {"metric".PadRight(w1)} | {"figure".PadRight(w2)} | {"goal".PadRight(w3)} | verdict |");
        output.WriteLine($"|{new string('-', w1 + 2)}|{new string('-', w2 + 2)}|{new string('-', w3 + 2)}|---------|");
        foreach (var (what, figure, goal, verdict) in _rows)
        {
            output.WriteLine($"| {what.PadRight(w1)} | {figure.PadRight(w2)} | {goal.PadRight(w3)} | {verdict.PadRight(7)} |");
        }
    }
}
