using Cerberus.ChatOps.Slack.BlockKit;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>Messages as the bot renders them, including every overflow case, for limit tests and the tsc check.</summary>
internal static class SampleMessages
{
    public static IReadOnlyList<SlackMessage> All()
    {
        var header = new MessageBuilder()
            .Add(Blocks.Header("🔴 INC-2026-0001 · CRITICAL · " + new string('H', 300)))
            .Add(Blocks.Fields([.. Enumerable.Range(1, 14).Select(i => $"*Field {i}*\n{SlackText.Escape("<value & more>")}")], "*Primary down*"))
            .Add(Blocks.Section(SlackText.Escape("Replica lag on <db-2> & <db-3>") + new string('s', 4000), blockId: "summary"))
            .Add(Blocks.Context("RTO 4 h · RPO 15 min", "Commander <@U2CERLKJA>"))
            .Add(Blocks.Divider())
            .Add(Blocks.Actions("approval", [
                Blocks.Button("Approve failover " + new string('a', 100), "approve", "INC-2026-0001:a1", ButtonStyle.Danger,
                    new ConfirmDialog(new string('T', 150), new string('t', 400), new string('c', 40), new string('d', 40), ButtonStyle.Danger)),
                Blocks.Button("Reject", "reject", "INC-2026-0001:a1", ButtonStyle.Primary),
                Blocks.Button("Details", "details", "INC-2026-0001:a1"),
            ]))
            .Build("INC-2026-0001 declared: primary down");
        var many = new MessageBuilder().AddRange(Enumerable.Range(0, 70).Select(i => Blocks.Section($"line {i}"))).Build(string.Empty);
        return [header, many];
    }
}
