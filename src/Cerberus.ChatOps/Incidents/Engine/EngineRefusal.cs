using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>Refusals the engine gives before or around the domain's own (<see cref="Refusal"/>).</summary>
internal abstract record EngineRefusal : Refusal
{
    /// <summary>The incident id (from a button or a command) names no incident.</summary>
    public sealed record NoSuchIncident(string IncidentId) : EngineRefusal;

    /// <summary>The per-user limit of an operation; the asker was told and the attempt recorded.</summary>
    public sealed record RateLimited : EngineRefusal;

    /// <summary>The access check before reading production passed, the one under the incident's lock did not.</summary>
    public sealed record CommanderChangedMeanwhile : EngineRefusal;

    /// <summary>The post-incident document cannot be written yet (<see cref="Domain.Reports.ReportEligibility"/>).</summary>
    public sealed record NoReport(string Why) : EngineRefusal;
}
