namespace Cerberus.ChatOps.Store;

internal enum StoreProvider
{
    Sqlite,
    Postgres,
}
