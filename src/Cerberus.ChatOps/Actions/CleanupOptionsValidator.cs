using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Actions;

internal sealed class CleanupOptionsValidator : OptionsValidator<CleanupOptions>
{
    protected override void Check(CleanupOptions options, List<string> problems)
    {
        if (!QualifiedName.TryParse(options.Table, out _))
        {
            problems.Add($"{CleanupOptions.Section}:Table: '{options.Table}' must be a schema-qualified lower-case identifier such as audit.logs.");
        }

        if (!QualifiedName.IsIdentifier(options.TimestampColumn))
        {
            problems.Add($"{CleanupOptions.Section}:TimestampColumn: '{options.TimestampColumn}' must be a lower-case identifier such as created_at.");
        }

        ConfigurationRules.InRange(problems, $"{CleanupOptions.Section}:RetentionDays", options.RetentionDays, 1, 36_500);
        ConfigurationRules.InRange(problems, $"{CleanupOptions.Section}:BatchSize", options.BatchSize, 1, 1_000_000);
        ConfigurationRules.Positive(problems, $"{CleanupOptions.Section}:BatchStatementTimeout", options.BatchStatementTimeout);
        ConfigurationRules.InRange(problems, $"{CleanupOptions.Section}:MaxUnflushedBytes", options.MaxUnflushedBytes, 1, long.MaxValue);
        ConfigurationRules.InRange(problems, $"{CleanupOptions.Section}:MaxWalBytes", options.MaxWalBytes, 1, long.MaxValue);
        ConfigurationRules.InRange(problems, $"{CleanupOptions.Section}:FreeSpaceFloorWalMultiple", options.FreeSpaceFloorWalMultiple, 0, 100);
        ConfigurationRules.InRange(problems, $"{CleanupOptions.Section}:FreeSpaceFloorPercent", options.FreeSpaceFloorPercent, 0, 50);
        ConfigurationRules.Positive(problems, $"{CleanupOptions.Section}:PreviewStatementTimeout", options.PreviewStatementTimeout);
        ConfigurationRules.Positive(problems, $"{CleanupOptions.Section}:PauseInterval", options.PauseInterval);
        ConfigurationRules.Positive(problems, $"{CleanupOptions.Section}:MaxPause", options.MaxPause);
        ConfigurationRules.Positive(problems, $"{CleanupOptions.Section}:VacuumTimeout", options.VacuumTimeout);
        ConfigurationRules.Positive(problems, $"{CleanupOptions.Section}:VacuumFullLockTimeout", options.VacuumFullLockTimeout);
    }
}
