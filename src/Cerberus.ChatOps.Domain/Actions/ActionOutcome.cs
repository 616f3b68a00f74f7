namespace Cerberus.ChatOps.Domain.Actions;

/// <summary>The result of executing, verifying or reconciling an action.</summary>
public sealed record ActionOutcome(bool Succeeded, string Summary, IReadOnlyDictionary<string, string> Figures)
{
    /// <summary>
    /// The figure every <see cref="StateChanged"/> outcome carries: how many side effects (POSTs, deletion batches,
    /// PATCHes, drops, checkpoints) the action had already applied before it stopped, as an invariant integer.
    /// "0" means nothing was changed.
    /// </summary>
    public const string SideEffectsDoneFigure = "side_effects_done";

    /// <summary>
    /// Set when the action stopped before a side effect because the live state no longer matches what the approval
    /// was given for: "&lt;approved&gt; → &lt;observed&gt;". The engine then asks for a fresh approval (same proposer);
    /// the action never applies the side effect on the changed state by itself.
    /// </summary>
    public string? StateChange { get; init; }

    public static ActionOutcome Success(string summary, IReadOnlyDictionary<string, string>? figures = null) =>
        new(true, summary, figures ?? new Dictionary<string, string>());

    public static ActionOutcome Failure(string summary, IReadOnlyDictionary<string, string>? figures = null) =>
        new(false, summary, figures ?? new Dictionary<string, string>());

    /// <summary>
    /// The action stopped before its next side effect: the state it was approved for (<paramref name="approved"/>)
    /// is not the state it observed just now (<paramref name="observed"/>). <paramref name="figures"/> must say what
    /// already happened (rows deleted so far, batches, POSTs sent); <see cref="SideEffectsDoneFigure"/> is "0"
    /// when the caller did not set it.
    /// </summary>
    public static ActionOutcome StateChanged(string approved, string observed, IReadOnlyDictionary<string, string>? figures = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approved);
        ArgumentException.ThrowIfNullOrWhiteSpace(observed);
        var change = $"{approved} → {observed}";
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (figures is not null)
        {
            foreach (var (key, value) in figures)
            {
                all[key] = value;
            }
        }

        all.TryAdd(SideEffectsDoneFigure, "0");
        return new(false, "state changed since the approval: " + change, all) { StateChange = change };
    }
}
