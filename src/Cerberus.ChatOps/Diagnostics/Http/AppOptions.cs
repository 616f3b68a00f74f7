namespace Cerberus.ChatOps.Diagnostics.Http;

/// <summary><c>Cerberus:App</c>: the application's health URL (the runbook's <c>curl http://…:8000/health</c>).</summary>
internal sealed class AppOptions
{
    public const string Section = "Cerberus:App";

    /// <summary>Absolute http(s) URL of the backend's health endpoint; empty = not configured (the probe says UNKNOWN).</summary>
    public string? HealthUrl { get; set; }

    /// <summary>How long the GET may take before the app counts as hung (default 3 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>An answer slower than this is WARN (default 1 s).</summary>
    public TimeSpan SlowThreshold { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(HealthUrl);
}
