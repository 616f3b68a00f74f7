namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// Where a former leader was last seen in <c>/cluster</c>: its REST API and its PostgreSQL. Kept so that the watch can
/// still ask it after it dropped out of <c>/cluster</c> (its member key expires with its Patroni, its PostgreSQL may not).
/// </summary>
/// <param name="ApiUrl">Patroni's <c>api_url</c> (e.g. <c>http://10.0.0.1:8008/patroni</c>).</param>
/// <param name="Host">PostgreSQL's host as Patroni reports it (<c>postgresql.connect_address</c>).</param>
/// <param name="Port">PostgreSQL's port.</param>
public sealed record MemberAddress(string? ApiUrl, string? Host, int? Port);
