namespace Cerberus.ChatOps.Incidents.Access;

/// <summary>The operations anyone may ask for, and so are limited per user.</summary>
internal enum RateLimitedOperation
{
    Start,
    Diagnose,
}
