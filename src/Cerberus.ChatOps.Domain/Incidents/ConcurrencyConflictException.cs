namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>Thrown by a store when an incident changed since it was loaded (another replica or request won).</summary>
public sealed class ConcurrencyConflictException : Exception
{
    public ConcurrencyConflictException()
    {
    }

    public ConcurrencyConflictException(string message)
        : base(message)
    {
    }

    public ConcurrencyConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
