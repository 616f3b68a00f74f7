using Cerberus.ChatOps.Hosting.Configuration;
using Npgsql;

namespace Cerberus.ChatOps.Diagnostics.Postgres;

internal sealed class PostgresOptionsValidator : OptionsValidator<PostgresOptions>
{
    protected override void Check(PostgresOptions options, List<string> problems)
    {
        const string s = PostgresOptions.Section;
        if (options.IsConfigured)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException)
            {
                // Never echo the value: it holds a password.
                problems.Add($"{s}:ConnectionString: is not a valid Npgsql connection string (Host=...;Port=...;Username=...;Password=...;Database=...).");
            }
        }

        WholeSeconds(problems, $"{s}:ConnectTimeout", options.ConnectTimeout);
        WholeSeconds(problems, $"{s}:CommandTimeout", options.CommandTimeout);
        ConfigurationRules.Positive(problems, $"{s}:ProbeTimeout", options.ProbeTimeout);
        ConfigurationRules.Positive(problems, $"{s}:StatementTimeout", options.StatementTimeout);
        ConfigurationRules.Positive(problems, $"{s}:LockTimeout", options.LockTimeout);
        ConfigurationRules.Positive(problems, $"{s}:IdleInTransactionWarn", options.IdleInTransactionWarn);
        ConfigurationRules.Positive(problems, $"{s}:LockWaitWarn", options.LockWaitWarn);
        ConfigurationRules.Positive(problems, $"{s}:LongTransactionWarn", options.LongTransactionWarn);
        ConfigurationRules.Positive(problems, $"{s}:ReplayLagCrit", options.ReplayLagCrit);
        if (options.ProbeTimeout > TimeSpan.Zero && options.ConnectTimeout > TimeSpan.Zero && options.ProbeTimeout <= options.ConnectTimeout)
        {
            problems.Add($"{s}:ProbeTimeout: '{options.ProbeTimeout}' must be longer than {s}:ConnectTimeout '{options.ConnectTimeout}', or a hung server reads as a probe timeout.");
        }

        Percent(problems, $"{s}:SaturationWarnPercent", options.SaturationWarnPercent);
        Percent(problems, $"{s}:SaturationCritPercent", options.SaturationCritPercent);
        if (options.SaturationWarnPercent > options.SaturationCritPercent)
        {
            problems.Add($"{s}:SaturationWarnPercent: {options.SaturationWarnPercent} must not exceed {s}:SaturationCritPercent ({options.SaturationCritPercent}).");
        }

        ConfigurationRules.InRange(problems, $"{s}:SlotRetainedCritBytes", options.SlotRetainedCritBytes, 1, long.MaxValue);
        ConfigurationRules.InRange(problems, $"{s}:FailoverLagBytes", options.FailoverLagBytes, 0, long.MaxValue);
        ConfigurationRules.InRange(problems, $"{s}:ReplicaLagWarnBytes", options.ReplicaLagWarnBytes, 1, long.MaxValue);
        ConfigurationRules.InRange(problems, $"{s}:ArchiveReadyWarn", options.ArchiveReadyWarn, 1, int.MaxValue);
        ConfigurationRules.InRange(problems, $"{s}:WraparoundWarnAge", options.WraparoundWarnAge, 0, Domain.Diagnostics.XidWraparound.WarnAge);
    }

    private static void WholeSeconds(List<string> problems, string key, TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1) || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add($"{key}: '{value}' must be a positive whole number of seconds (Npgsql counts seconds).");
        }
    }

    private static void Percent(List<string> problems, string key, double value)
    {
        if (value is <= 0 or > 100 || double.IsNaN(value))
        {
            problems.Add($"{key}: {value} must be a percentage above 0 and at most 100.");
        }
    }
}
