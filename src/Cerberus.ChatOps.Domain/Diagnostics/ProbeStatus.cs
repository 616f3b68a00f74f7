namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>A probe's verdict. Hung or unreachable is <see cref="Unknown"/>, never OK and never cleanly down.</summary>
public enum ProbeStatus
{
    Ok,
    Warn,
    Crit,
    Unknown,
}
