using Cerberus.ChatOps.Hosting.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cerberus.ChatOps.Store;

internal sealed class StoreOptionsValidator : OptionsValidator<StoreOptions>
{
    protected override void Check(StoreOptions options, List<string> problems)
    {
        if (!Enum.IsDefined(options.Provider))
        {
            problems.Add($"{StoreOptions.Section}:Provider: must be Sqlite or Postgres.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            problems.Add($"{StoreOptions.Section}:ConnectionString: is required.");
            return;
        }

        // The problems name the provider, never the connection string (it may hold a password).
        try
        {
            if (options.Provider == StoreProvider.Sqlite)
            {
                var sqlite = new SqliteConnectionStringBuilder(options.ConnectionString);
                if (sqlite.Mode == SqliteOpenMode.Memory || string.Equals(sqlite.DataSource, ":memory:", StringComparison.Ordinal))
                {
                    problems.Add($"{StoreOptions.Section}:ConnectionString: the SQLite store needs a file (e.g. Data Source=cerberus.db), not an in-memory database.");
                }
            }
            else if (options.Provider == StoreProvider.Postgres)
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            problems.Add($"{StoreOptions.Section}:ConnectionString: is not a valid {options.Provider} connection string.");
        }
    }
}
