namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>Incident severity. The database-outage runbook is CRITICAL.</summary>
public enum Severity
{
    Critical,
    Major,
    Minor,
}
