namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>A modal's submission: its callback id, private metadata, and the input values by action id.</summary>
public sealed record ViewSubmission(string CallbackId, string PrivateMetadata, IReadOnlyDictionary<string, string> Values);
