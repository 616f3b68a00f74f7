namespace Cerberus.ChatOps.Store;

public enum StoreProvider
{
    Sqlite,
    Postgres,
}
