namespace Cerberus.ChatOps.Alerts;

/// <summary><c>Cerberus:Alerts</c>: Prometheus Alertmanager's webhook, which declares incidents from alerts.</summary>
internal sealed class AlertsOptions
{
    public const string Section = "Cerberus:Alerts";
    public const int MinimumTokenLength = 24;

    /// <summary>
    /// The bearer token <c>POST /alerts/alertmanager</c> requires (Alertmanager's <c>http_config.authorization</c>;
    /// a secret: <c>Cerberus__Alerts__BearerToken</c>). Unset: the route answers 401 (fail closed).
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>The Slack channel incidents from alerts are declared in (required with a token).</summary>
    public string? Channel { get; set; }

    /// <summary>Larger bodies are refused with 413 before they are parsed.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;
}
