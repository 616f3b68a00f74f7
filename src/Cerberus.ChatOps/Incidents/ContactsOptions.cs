namespace Cerberus.ChatOps.Incidents;

/// <summary>
/// <c>Cerberus:Contacts</c>: the runbook's contacts. Slack ids are user ids (U…/W…) or user-group ids (S…);
/// they are mentioned in the header (and so notified) when a CRITICAL incident starts, and paged by Escalate.
/// </summary>
internal sealed class ContactsOptions
{
    public string Primary { get; set; } = "DBA Team";
    public string PrimaryEmail { get; set; } = "dba-team@example.com";
    public string PrimarySlack { get; set; } = string.Empty;
    public string Escalation { get; set; } = "Platform Engineering";
    public string EscalationEmail { get; set; } = "platform@example.com";
    public string EscalationSlack { get; set; } = string.Empty;
}
