namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>What an exec answers: stdout (channel 1), stderr (channel 2) and the exit code (V1Status on channel 3).</summary>
public sealed record FakeExecResult(string Stdout, string Stderr = "", int ExitCode = 0);
