namespace Cerberus.ChatOps.Slack.Outbound;

/// <summary>A text file to upload (the post-incident document).</summary>
internal sealed record SlackFile(string FileName, string Title, string Content);
