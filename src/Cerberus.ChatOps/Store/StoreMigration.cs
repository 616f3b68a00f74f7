namespace Cerberus.ChatOps.Store;

/// <summary>One step of a provider's schema: applied once, in <see cref="Version"/> order, recorded in schema_version.</summary>
/// <param name="Version">1, 2, 3...: never renumbered, never edited once released.</param>
/// <param name="Name">What the step does, for the schema_version table.</param>
/// <param name="Sql">The script; it runs inside the migration transaction.</param>
internal sealed record StoreMigration(int Version, string Name, string Sql);
