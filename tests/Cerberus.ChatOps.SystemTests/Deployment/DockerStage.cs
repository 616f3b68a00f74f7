namespace Cerberus.ChatOps.SystemTests.Deployment;

/// <summary>One build stage: <c>FROM image [AS name]</c> and the instructions that follow it.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> ArgumentsOf(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>ENV and ARG assignments of this stage (<c>KEY=value</c> pairs, quotes removed; <c>ENV KEY value</c> too).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Variables() =>
        Instructions.Where(i => i.Keyword is "ENV" or "ARG").SelectMany(i => Dockerfile.Assignments(i.Arguments)).ToList();
}
