namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>What the page posts to <c>/console/api/click</c>: the button and the message that carried it.</summary>
internal sealed record ConsoleClickRequest(string? Channel, string? MessageTs, string? ActionId, string? BlockId, string? Value);
