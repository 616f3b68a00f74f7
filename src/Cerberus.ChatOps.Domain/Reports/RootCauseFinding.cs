using Cerberus.ChatOps.Domain.Diagnostics;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>The root cause: given by a person, or the last diagnosis as a hypothesis.</summary>
/// <param name="Text">The root cause, free of secrets.</param>
/// <param name="IsHypothesis">True when nobody gave one and it comes from the diagnostics (not confirmed).</param>
/// <param name="Classification">The last diagnosis classification, if any ran.</param>
public sealed record RootCauseFinding(string Text, bool IsHypothesis, Classification? Classification)
{
    public const string HypothesisMarker = "(hypothesis — from the diagnostics, not confirmed)";

    /// <summary>The text with the hypothesis marker when it is one.</summary>
    public string Display => IsHypothesis ? $"{Text} {HypothesisMarker}" : Text;
}
