namespace Cerberus.ChatOps.Timing;

/// <summary>How a <see cref="Poll"/> ended: the last answer, and whether it was the one waited for (false: the deadline came first).</summary>
internal readonly record struct PollResult<T>(T Last, bool Converged);
