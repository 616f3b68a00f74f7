namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// The action_ids of our buttons and the encoding of their values (<c>INC-…|A-…|extra</c>). A value is data from
/// a client: it is parsed defensively, and every field is checked against the store before use.
/// </summary>
internal static class ButtonIds
{
    public const string Prefix = "cerberus.";
    public const string Propose = Prefix + "propose";
    public const string DryRun = Prefix + "dryrun";
    public const string Approve = Prefix + "approve";
    public const string ApproveAcceptingRisk = Prefix + "approve_risk";
    public const string Reject = Prefix + "reject";
    public const string Diagnose = Prefix + "diagnose";
    public const string Escalate = Prefix + "escalate";

    public static string Value(params string[] parts) => string.Join('|', parts);

    /// <summary>Splits a button value into at most <paramref name="count"/> parts; missing parts are empty.</summary>
    public static string[] Parts(string? value, int count)
    {
        var parts = (value ?? string.Empty).Split('|', count);
        return [.. parts, .. Enumerable.Repeat(string.Empty, Math.Max(0, count - parts.Length))];
    }
}
