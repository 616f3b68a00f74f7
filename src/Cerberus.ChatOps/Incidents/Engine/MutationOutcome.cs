using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>What a change did: the domain's answer, and the incident as saved (null when it does not exist).</summary>
internal sealed record MutationOutcome(DomainResult Result, Incident? Incident);
