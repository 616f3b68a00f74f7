using System.Text.RegularExpressions;
using Cerberus.ChatOps.IntegrationTests.Console;

namespace Cerberus.ChatOps.IntegrationTests.Cli;

/// <summary>The break-glass CLI as a real process (<c>Cerberus.ChatOps incident …</c>) on a temp SQLite store, on a drill incident (no cluster needed).</summary>
public sealed partial class CliProcessTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cerberus-cli-" + Guid.NewGuid().ToString("N"));

    public CliProcessTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task Approve_RealProcess_NonApproverRefusedListedCliUserRunsOnce()
    {
        // arrange
        var bob = Env("bob");
        var (startCode, startOutput, startErrors) = await CerberusProcess.RunCliAsync(_directory, bob, "drill", "primary-unresponsive", "--channel", "C123");
        var (proposeCode, proposeOutput, _) = await CerberusProcess.RunCliAsync(_directory, bob, "propose", "failover", "--incident", "INC-2026-0001");
        var actionId = ActionId().Match(proposeOutput).Value;

        // act
        var (malloryCode, malloryOutput, _) = await CerberusProcess.RunCliAsync(_directory, Env("mallory"), "approve", "INC-2026-0001", actionId);
        var (aliceCode, aliceOutput, _) = await CerberusProcess.RunCliAsync(_directory, Env("alice"), "approve", "INC-2026-0001", actionId);
        var (statusCode, statusOutput, _) = await CerberusProcess.RunCliAsync(_directory, Env("alice"), "status", "INC-2026-0001");

        // assert
        Assert.True(startCode == 0, startOutput + startErrors);
        Assert.Contains("[DRILL] INC-2026-0001", startOutput, StringComparison.Ordinal);
        Assert.Equal(0, proposeCode);
        Assert.Contains("will run: [simulated] Patroni failover", proposeOutput, StringComparison.Ordinal);
        Assert.Equal(1, malloryCode);
        Assert.Contains("» ", malloryOutput, StringComparison.Ordinal);
        Assert.True(aliceCode == 0, aliceOutput);
        Assert.Equal(0, statusCode);
        Assert.Contains("state:     Mitigated", statusOutput, StringComparison.Ordinal);
        Assert.Contains($"{actionId}  Failover on simulated cluster (drill) — Succeeded, proposed by cli:bob, decided by cli:alice", statusOutput, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(statusOutput, $@"Approval\s+cli:alice: approved Failover .*\[{actionId}\]"));
        Assert.Single(Regex.Matches(statusOutput, $@"started Failover on simulated cluster \(drill\) \[{actionId}\]"));
    }

    [Fact]
    public async Task Start_WithoutChannel_ExitsWithUsage()
    {
        // arrange
        var env = Env("bob");

        // act
        var (code, output, _) = await CerberusProcess.RunCliAsync(_directory, env, "start", "API 500s");

        // assert
        Assert.Equal(2, code);
        Assert.Contains("--channel", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Dictionary<string, string> Env(string user) => new()
    {
        ["Cerberus__Cli__User"] = user,
        ["Cerberus__Approvers__0"] = "cli:alice",
    };

    [GeneratedRegex("A-[0-9a-f]{8}")]
    private static partial Regex ActionId();
}
