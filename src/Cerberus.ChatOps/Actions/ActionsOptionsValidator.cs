using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Hosting.Configuration;
using Npgsql;

namespace Cerberus.ChatOps.Actions;

internal sealed class ActionsOptionsValidator : OptionsValidator<ActionsOptions>
{
    protected override void Check(ActionsOptions options, List<string> problems)
    {
        if (!string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.PostgresConnectionString);
            }
            catch (ArgumentException)
            {
                // Never echo the value: it holds a password.
                problems.Add($"{ActionsOptions.Section}:PostgresConnectionString: is not a valid Npgsql connection string.");
            }
        }

        if (!QualifiedName.IsIdentifier(options.VerifyDatabase))
        {
            problems.Add($"{ActionsOptions.Section}:VerifyDatabase: '{options.VerifyDatabase}' must be a database name such as postgres.");
        }

        ConfigurationRules.AtLeast(problems, $"{ActionsOptions.Section}:VerifyDeadline", options.VerifyDeadline, TimeSpan.FromSeconds(5));
        ConfigurationRules.Positive(problems, $"{ActionsOptions.Section}:PollInterval", options.PollInterval);
        ConfigurationRules.AtLeast(problems, $"{ActionsOptions.Section}:StatementTimeout", options.StatementTimeout, TimeSpan.FromSeconds(1));
        ConfigurationRules.AtLeast(problems, $"{ActionsOptions.Section}:LockTimeout", options.LockTimeout, TimeSpan.FromMilliseconds(100));
        ConfigurationRules.AtLeast(problems, $"{ActionsOptions.Section}:VacuumFreezeTimeout", options.VacuumFreezeTimeout, TimeSpan.FromSeconds(1));
        ConfigurationRules.AtLeast(problems, $"{ActionsOptions.Section}:ReinitializeTimeout", options.ReinitializeTimeout, TimeSpan.FromSeconds(30));
        ConfigurationRules.AtLeast(problems, $"{ActionsOptions.Section}:WalRateSampleInterval", options.WalRateSampleInterval, TimeSpan.Zero);
    }
}
