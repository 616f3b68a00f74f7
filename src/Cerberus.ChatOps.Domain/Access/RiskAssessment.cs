namespace Cerberus.ChatOps.Domain.Access;

/// <summary>An action's risk tier: <paramref name="IsRisky"/> when it can lose data or availability, and why.</summary>
public sealed record RiskAssessment(bool IsRisky, string Reason)
{
    public static RiskAssessment Standard { get; } = new(false, "it loses no data and keeps the service available");

    public static RiskAssessment Risky(string reason) => new(true, reason);
}
