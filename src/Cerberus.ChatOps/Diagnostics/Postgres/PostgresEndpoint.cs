using System.Globalization;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>host:port of one PostgreSQL server: what the probes connect to and what sentences name (never credentials).</summary>
internal sealed record PostgresEndpoint(string Host, int Port)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
