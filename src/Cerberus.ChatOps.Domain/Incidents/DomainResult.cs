namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// The answer of an intent method: done, or refused with a sentence a person can read.
/// Invalid triggers (a stale button, a second approval, a wrong state) are values, never exceptions.
/// </summary>
public sealed record DomainResult(bool Succeeded, string Message)
{
    public static DomainResult Ok(string message = "") => new(true, message);

    public static DomainResult Refused(string message) => new(false, message);
}
