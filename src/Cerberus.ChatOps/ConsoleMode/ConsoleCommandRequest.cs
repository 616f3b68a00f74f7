namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>What the page posts to <c>/console/api/command</c>: the text after <c>/dbincident</c>.</summary>
internal sealed record ConsoleCommandRequest(string? Text, string? Channel);
