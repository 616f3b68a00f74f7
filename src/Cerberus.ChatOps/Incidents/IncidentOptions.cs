using Cerberus.ChatOps.Incidents.Access;

namespace Cerberus.ChatOps.Incidents;

/// <summary>The incident engine's settings, bound from the <c>Cerberus</c> section.</summary>
internal sealed class IncidentOptions
{
    public const string Section = "Cerberus";

    /// <summary>
    /// <c>Cerberus:Approvers:0..N</c>: the approver roster — Slack user ids (U…/W…), user groups (S…) and break-glass
    /// CLI users (<c>cli:&lt;name&gt;</c>). The only people who may approve a change to production (the incident
    /// commander too only if listed); empty means no real action can be approved.
    /// </summary>
    public List<string> Approvers { get; set; } = [];

    public ApprovalOptions Approval { get; set; } = new();

    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary><c>Cerberus:DryRun</c>: every action shows what it would run and runs nothing.</summary>
    public bool DryRun { get; set; }

    public ContactsOptions Contacts { get; set; } = new();

    public IncidentChannelsOptions IncidentChannels { get; set; } = new();

    /// <summary>Percentages of the 4 h RTO at which the thread gets a reminder.</summary>
    public List<int> RtoReminders { get; set; } = [50, 75, 90];

    /// <summary>
    /// How long a process's claim on a running action lasts without a heartbeat (renewed every third of it). After a
    /// crash, another process reconciles the action once this has passed; a graceful stop hands it over at once.
    /// </summary>
    public TimeSpan ExecutionHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the timers (reminders, approval expiry, resumption) look at open incidents.</summary>
    public TimeSpan TimerInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the leader watch looks at Patroni's <c>/cluster</c> and <c>/history</c> after a leader change (it runs
    /// on the timers' passes, so never more often than <see cref="TimerInterval"/>); zero turns the watch off.
    /// </summary>
    public TimeSpan LeaderWatchInterval { get; set; } = TimeSpan.FromSeconds(5);
}
