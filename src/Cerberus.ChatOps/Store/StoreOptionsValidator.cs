using Cerberus.ChatOps.Hosting.Configuration;

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
        }
    }
}
