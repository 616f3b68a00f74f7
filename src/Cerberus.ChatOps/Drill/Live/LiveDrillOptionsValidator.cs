using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Drill.Live;

internal sealed class LiveDrillOptionsValidator : OptionsValidator<LiveDrillOptions>
{
    protected override void Check(LiveDrillOptions options, List<string> problems)
    {
        if (!QualifiedName.IsIdentifier(options.SlotName))
        {
            problems.Add($"{LiveDrillOptions.Section}:SlotName: '{options.SlotName}' must be a plain lower-case slot name such as cerberus_live_drill.");
        }

        if (!QualifiedName.TryParse(options.WriterTable, out _))
        {
            problems.Add($"{LiveDrillOptions.Section}:WriterTable: '{options.WriterTable}' must be schema.table of plain lower-case identifiers.");
        }

        ConfigurationRules.AtLeast(problems, $"{LiveDrillOptions.Section}:WriterInterval", options.WriterInterval, TimeSpan.FromMilliseconds(1));
        ConfigurationRules.AtLeast(problems, $"{LiveDrillOptions.Section}:Timeout", options.Timeout, TimeSpan.FromSeconds(10));
        ConfigurationRules.AtLeast(problems, $"{LiveDrillOptions.Section}:PollInterval", options.PollInterval, TimeSpan.FromMilliseconds(100));
        if (options.SlotFillMarginBytes < 0)
        {
            problems.Add($"{LiveDrillOptions.Section}:SlotFillMarginBytes: must not be negative.");
        }
    }
}
