namespace Cerberus.ChatOps.Api;

/// <summary><c>Cerberus:Reports</c>: who may read the incident list and the post-incident documents over HTTP.</summary>
internal sealed class ReportsOptions
{
    public const string Section = "Cerberus:Reports";
    public const int MinimumTokenLength = 24;

    /// <summary>
    /// The bearer token <c>GET /incidents</c> and <c>GET /incidents/{id}/report.md</c> require (a secret: from the
    /// environment, <c>Cerberus__Reports__BearerToken</c>). Unset: both answer 401 (fail closed).
    /// </summary>
    public string? BearerToken { get; set; }
}
