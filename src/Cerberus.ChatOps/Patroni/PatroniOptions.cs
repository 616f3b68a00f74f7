namespace Cerberus.ChatOps.Patroni;

/// <summary><c>Cerberus:Patroni</c>: the cluster's REST endpoints and how long to wait for them.</summary>
internal sealed class PatroniOptions
{
    public const string Section = "Cerberus:Patroni";

    /// <summary>Every member's REST API (e.g. http://postgres-primary:8008). GETs are open; POSTs use Basic auth.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary><c>restapi.authentication.username</c> for switchover/failover and PATCH /config.</summary>
    public string? Username { get; set; }

    /// <summary><c>restapi.authentication.password</c> (a secret: from the environment or a Kubernetes Secret).</summary>
    public string? Password { get; set; }

    /// <summary>Per-member timeout of a GET; a hung member must not hang the probe (default 3 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Timeout of POST /switchover and /failover (Patroni polls for up to ~20 s before answering, so ≥ 30 s), also used
    /// for PATCH /config (the slot action removing a permanent slot).
    /// </summary>
    public TimeSpan FailoverTimeout { get; set; } = TimeSpan.FromSeconds(40);

    public IReadOnlyList<Uri> Members => Urls.Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => new Uri(u)).ToList();
}
