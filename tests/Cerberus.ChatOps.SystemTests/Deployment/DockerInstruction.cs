namespace Cerberus.ChatOps.SystemTests.Deployment;

/// <summary>One Dockerfile instruction: its keyword (upper case) and its arguments, continuations joined.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments);
