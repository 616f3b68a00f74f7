using System.Text.RegularExpressions;
using Cerberus.ChatOps.IntegrationTests.Console;

namespace Cerberus.ChatOps.IntegrationTests.Cli;

/// <summary>The break-glass CLI as a real process (<c>Cerberus.ChatOps incident …</c>) on a temp SQLite store, on a drill incident (no cluster needed).</summary>
public sealed partial class CliProcessTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cerberus-cli-" + Guid.NewGuid().ToString("N"));

    public CliProcessTests() => Directory.CreateDirectory(_directory);

    /// <summary>
    /// Three people through sudo (root with <c>SUDO_USER</c>, as <c>sudo -u</c> leaves it), which is how the CLI tells
    /// them apart; CI runs as root. Run as another user, <c>SUDO_USER</c> is ignored and everything is that OS user.
    /// </summary>
    [Fact]
    public async Task Approve_RealProcess_DrillRunsOnceAndABystanderIsRefusedOnARealIncident()
    {
        // arrange
        var root = Environment.IsPrivilegedProcess;
        var me = CliActorOf(Environment.UserName);
        var bob = Env("bob");
        var (startCode, startOutput, startErrors) = await CerberusProcess.RunCliAsync(_directory, bob, "drill", "primary-unresponsive", "--channel", "C123");
        var (proposeCode, proposeOutput, _) = await CerberusProcess.RunCliAsync(_directory, bob, "propose", "failover", "--incident", "INC-2026-0001");
        var actionId = ActionId().Match(proposeOutput).Value;

        // act
        // a drill lets anyone approve; the bystander is refused on a real incident instead (nothing in it touches a cluster)
        var (realCode, realOutput, _) = await CerberusProcess.RunCliAsync(_directory, bob, "start", "API 500s", "--channel", "C456");
        var (malloryCode, malloryOutput, _) = root ? await CerberusProcess.RunCliAsync(_directory, Env("mallory"), "resolve", "--incident", "INC-2026-0002", "--root-cause", "not my incident") : (1, "» skipped: not root", string.Empty);
        var (aliceCode, aliceOutput, _) = await CerberusProcess.RunCliAsync(_directory, Env("alice"), "approve", "INC-2026-0001", actionId);
        var (statusCode, statusOutput, _) = await CerberusProcess.RunCliAsync(_directory, Env("alice"), "status", "INC-2026-0001");

        // assert
        var (proposer, approver) = root ? ("cli:bob", "cli:alice") : (me, me);
        Assert.True(startCode == 0, startOutput + startErrors);
        Assert.Contains("[DRILL] INC-2026-0001", startOutput, StringComparison.Ordinal);
        Assert.Equal(0, proposeCode);
        Assert.Contains("will run: [simulated] Patroni failover", proposeOutput, StringComparison.Ordinal);
        Assert.True(realCode == 0, realOutput);
        Assert.Equal(1, malloryCode);
        Assert.Contains("» ", malloryOutput, StringComparison.Ordinal);
        if (root)
        {
            Assert.Contains("may resolve the incident", malloryOutput, StringComparison.Ordinal);
        }

        Assert.True(aliceCode == 0, aliceOutput);
        Assert.Equal(0, statusCode);
        Assert.Contains("state:     Mitigated", statusOutput, StringComparison.Ordinal);
        Assert.Contains($"{actionId}  Failover on simulated cluster (drill) — Succeeded, proposed by {proposer}, decided by {approver}", statusOutput, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(statusOutput, $@"Approval\s+{Regex.Escape(approver)}: approved Failover .*\[{actionId}\]"));
        Assert.Single(Regex.Matches(statusOutput, $@"started Failover on simulated cluster \(drill\) \[{actionId}\]"));
    }

    [Fact]
    public async Task Approve_CliUserKeyGiven_RefusedWithOneLineAndNothingRuns()
    {
        // arrange
        var env = new Dictionary<string, string> { ["Cerberus__Cli__User"] = "alice", ["Cerberus__Approvers__0"] = "cli:alice" };

        // act
        var (envCode, envOutput, _) = await CerberusProcess.RunCliAsync(_directory, env, "list");
        var (argCode, argOutput, _) = await CerberusProcess.RunCliAsync(_directory, new Dictionary<string, string>(), "list", "--Cerberus:Cli:User=alice");

        // assert
        Assert.Equal(2, envCode);
        Assert.Equal(2, argCode);
        Assert.StartsWith("Cerberus:Cli:User (Cerberus__Cli__User, --Cerberus:Cli:User) is no longer accepted", envOutput, StringComparison.Ordinal);
        Assert.Single(envOutput.Trim().Split('\n'));
        Assert.Equal(envOutput, argOutput);
        Assert.False(File.Exists(Path.Combine(_directory, "cerberus.db")), "the store was opened although the CLI refused to run");
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

    /// <summary>As root, <paramref name="user"/> through <c>SUDO_USER</c>; otherwise the variable is ignored (the OS user acts).</summary>
    private static Dictionary<string, string> Env(string user) => new()
    {
        ["SUDO_USER"] = user,
        ["Cerberus__Approvers__0"] = Environment.IsPrivilegedProcess ? "cli:alice" : CliActorOf(Environment.UserName),
    };

    private static string CliActorOf(string name) => "cli:" + new string([.. name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')]).ToLowerInvariant();

    [GeneratedRegex("A-[0-9a-f]{8}")]
    private static partial Regex ActionId();
}
