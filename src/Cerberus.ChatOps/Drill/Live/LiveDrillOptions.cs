namespace Cerberus.ChatOps.Drill.Live;

/// <summary>
/// <c>Cerberus:Drill</c>: live drills (<c>/dbincident drill --live &lt;scenario&gt;</c>) inject a real fault into the
/// cluster this bot is configured for. Off by default: enable them only on a staging deployment.
/// </summary>
internal sealed class LiveDrillOptions
{
    public const string Section = "Cerberus:Drill";

    /// <summary>Live drills may run (default false: every request is refused). Set only where the cluster is staging.</summary>
    public bool LiveEnabled { get; set; }

    /// <summary>The name of the physical slot slot-fill creates (and always drops again).</summary>
    public string SlotName { get; set; } = "cerberus_live_drill";

    /// <summary>The table the writer inserts into on the primary (created for the drill, dropped after it).</summary>
    public string WriterTable { get; set; } = "public.cerberus_live_drill_writes";

    /// <summary>Pause between two writes of the writer (default 50 ms).</summary>
    public TimeSpan WriterInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>WAL slot-fill makes its slot retain beyond the diagnosis' critical threshold (Cerberus:Postgres:SlotRetainedCritBytes); default 16 MiB.</summary>
    public long SlotFillMarginBytes { get; set; } = 16L << 20;

    /// <summary>The longest a live drill waits for recovery before it restores the cluster itself and reports "not recovered" (default 1 h).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the drill looks at the incident for a verified remedy (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
