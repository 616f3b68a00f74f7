namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>Whether a recovery objective (RTO, RPO) was met.</summary>
public enum ObjectiveVerdict
{
    Met,
    Missed,

    /// <summary>The recorded figures do not allow a verdict (e.g. lost bytes without a WAL rate to turn them into time).</summary>
    Unknown,
}
