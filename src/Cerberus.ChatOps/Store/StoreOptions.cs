namespace Cerberus.ChatOps.Store;

/// <summary><c>Cerberus:Store</c>: where incidents, the inbox and the outbox are kept.</summary>
internal sealed class StoreOptions
{
    public const string Section = "Cerberus:Store";

    /// <summary><c>Sqlite</c> (default, an embedded file) or <c>Postgres</c> (for several replicas).</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>e.g. <c>Data Source=cerberus.db</c>, or a PostgreSQL connection string (a secret: from the environment).</summary>
    public string ConnectionString { get; set; } = "Data Source=cerberus.db";
}
