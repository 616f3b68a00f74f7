using System.Diagnostics;

namespace Cerberus.ChatOps.IntegrationTests.Support;

/// <summary>
/// The test lab as the tests see it: read from the CERBERUS_LAB_* variables that <c>tests/lab/lab.sh env</c>
/// prints. Missing lab: a clear one-line failure saying how to start it (never a silent skip).
/// </summary>
public sealed class LabEnvironment
{
    public const string HowToStart =
        "The test lab is not running: run ./test.sh, or start it with `tests/lab/lab.sh up` and `eval \"$(tests/lab/lab.sh env)\"` before `dotnet test`.";

    private LabEnvironment(Func<string, string?> read)
    {
        Directory = Require(read, "CERBERUS_LAB_DIR");
        Script = Require(read, "CERBERUS_LAB_SCRIPT");
        PostgresConnectionString = Require(read, "CERBERUS_LAB_PG");
        MonitorConnectionString = Require(read, "CERBERUS_LAB_PG_MONITOR");
        PatroniUrls = Require(read, "CERBERUS_LAB_PATRONI_URLS").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToArray();
        PatroniNames = Require(read, "CERBERUS_LAB_PATRONI_NAMES").Split(',', StringSplitOptions.RemoveEmptyEntries);
        PatroniScope = Require(read, "CERBERUS_LAB_PATRONI_SCOPE");
        PatroniUser = Require(read, "CERBERUS_LAB_PATRONI_USER");
        PatroniPassword = Require(read, "CERBERUS_LAB_PATRONI_PASSWORD");
        PatroniPostgres = [Require(read, "CERBERUS_LAB_PATRONI_PG_1"), Require(read, "CERBERUS_LAB_PATRONI_PG_2")];
        ArchiveFailFlag = Require(read, "CERBERUS_LAB_ARCHIVE_FAIL_FLAG");
    }

    public string Directory { get; }
    public string Script { get; }

    /// <summary>Superuser connection to the standalone PostgreSQL 15 (database cerberus).</summary>
    public string PostgresConnectionString { get; }

    /// <summary>The bot's own role on the standalone server: pg_monitor only.</summary>
    public string MonitorConnectionString { get; }

    public IReadOnlyList<Uri> PatroniUrls { get; }
    public IReadOnlyList<string> PatroniNames { get; }
    public string PatroniScope { get; }
    public string PatroniUser { get; }
    public string PatroniPassword { get; }

    /// <summary>Superuser connections to Patroni node 1 and node 2 (by index, not by role: roles float).</summary>
    public IReadOnlyList<string> PatroniPostgres { get; }

    /// <summary>While this file exists, the standalone server's archive_command fails.</summary>
    public string ArchiveFailFlag { get; }

    public static LabEnvironment FromEnvironment() => new(Environment.GetEnvironmentVariable);

    public static bool IsAvailable => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CERBERUS_LAB_DIR"));

    /// <summary>Runs <c>lab.sh</c> with the given arguments (stop-node 2, start-node 2...).</summary>
    public async Task RunScriptAsync(params string[] arguments)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Script);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["LAB_DIR"] = Directory;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start lab.sh");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"lab.sh {string.Join(' ', arguments)} failed: {await stderr}");
        }
    }

    private static string Require(Func<string, string?> read, string name) =>
        read(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set. {HowToStart}");
}
