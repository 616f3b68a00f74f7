namespace Cerberus.ChatOps.Slack;

/// <summary>
/// <c>Slack</c>: the app's credentials and the adapter's limits. The secrets come from the environment
/// (<c>Slack__SigningSecret</c>, <c>Slack__BotToken</c>, <c>Slack__AppToken</c>), never from appsettings.json, and
/// are never logged or echoed.
/// </summary>
internal sealed class SlackOptions
{
    public const string Section = "Slack";

    /// <summary>Verifies inbound HTTP requests. Without it every Slack request is refused with 401 (fail closed).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The <c>xoxb-</c> bot token for the Web API.</summary>
    public string? BotToken { get; set; }

    /// <summary>The <c>xapp-</c> app-level token; when set, Socket Mode is used instead of inbound HTTP.</summary>
    public string? AppToken { get; set; }

    /// <summary>
    /// When set (<c>A…</c>), every inbound request's <c>api_app_id</c> must be this app's; anything else is refused
    /// before it is stored.
    /// </summary>
    public string? AppId { get; set; }

    /// <summary>
    /// Workspaces (<c>T…</c>) accepted besides the one auth.test reports: several workspaces, or the workspaces of an
    /// Enterprise Grid org. Requests from any other workspace are refused before they are stored.
    /// </summary>
    public List<string> AllowedTeamIds { get; set; } = [];

    /// <summary>
    /// Enterprise Grid orgs (<c>E…</c>) whose every workspace is accepted (an org-wide install). Empty by default:
    /// being in the same org is not enough unless listed here.
    /// </summary>
    public List<string> AllowedEnterpriseIds { get; set; } = [];

    /// <summary>The Web API base (tests point it at a fake).</summary>
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>Largest inbound body accepted; larger ones get 413 without being read. Slack's payloads are small.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long accepted requests stay in the inbox for dedupe; longer than Slack's last retry (~5 min).</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>chat.* pacing per channel (Slack: about one message a second per channel).</summary>
    public TimeSpan ChatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Base delay of the HTTP layer's capped exponential backoff (5xx and network errors of idempotent calls).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries of one Web API call in the HTTP layer (429 and, for idempotent calls, 5xx/network).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>A 429 asking to wait longer than this is handed to the caller (the outbox reschedules) instead of waited on.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an outbox item claimed by a worker keeps the others off it — longer than its slowest send (timeouts,
    /// 429 waits, uploads). A process killed mid-send holds its channel's later messages back until it lapses.
    /// </summary>
    public TimeSpan OutboxClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Cap of the outbox's backoff between attempts of one item.</summary>
    public TimeSpan OutboxMaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the outbox looks for due items when nobody signals it.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Socket Mode: connections kept open at once (Slack allows 10; two leave no gap on a refresh).</summary>
    public int SocketModeConnections { get; set; } = 2;

    /// <summary>Socket Mode: delay between opening the connections, so they do not refresh together.</summary>
    public TimeSpan SocketModeStagger { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Socket Mode: reconnect delay per consecutive failure (capped at one minute), as Slack's Node client does.</summary>
    public TimeSpan SocketModeReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Socket Mode: largest frame read (bytes); a larger one closes that connection (1009, message too big) and it
    /// reconnects. Slack's envelopes are a few KiB; 1 MiB is far above them and bounds the memory one frame can take.
    /// </summary>
    public int SocketModeMaxFrameBytes { get; set; } = 1024 * 1024;

    /// <summary>Socket Mode: appends <c>debug_reconnects=true</c> (connections last ~360 s), for testing refreshes.</summary>
    public bool SocketModeDebugReconnects { get; set; }

    /// <summary>
    /// Tests only: one extra base URL (e.g. <c>http://127.0.0.1:5000/</c>) allowed for response_url and upload
    /// posts besides Slack's own https hosts.
    /// </summary>
    public string? TestAllowedUrlBase { get; set; }
}
