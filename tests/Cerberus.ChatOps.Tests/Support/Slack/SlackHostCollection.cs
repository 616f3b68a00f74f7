namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>Tests that start the whole host run one at a time (Serilog's static logger is process-wide).</summary>
[CollectionDefinition(Name)]
public sealed class SlackHostCollection
{
    public const string Name = "Slack host";
}
