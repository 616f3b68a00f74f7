using System.Diagnostics;

namespace Cerberus.ChatOps.SystemTests.Slack;

/// <summary>Runs node and tsc from tests/js (installed by <c>npm ci</c>, which test.sh runs) for the cross-checks against Slack's npm packages.</summary>
public static class NodeTools
{
    public static string JsDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cerberus.ChatOps.sln")))
            {
                dir = dir.Parent;
            }

            var js = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "js");
            if (!Directory.Exists(Path.Combine(js, "node_modules", "@slack")))
            {
                throw new InvalidOperationException($"{js}/node_modules is missing: run `npm ci` in tests/js (./test.sh does).");
            }

            return js;
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = JsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Type-checks a TypeScript source with <c>tsc --noEmit --strict</c>; returns tsc's exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> TypeCheckAsync(string typescript)
    {
        var dir = Path.Combine(JsDirectory, "out");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"check-{Guid.NewGuid():N}.ts");
        await File.WriteAllTextAsync(file, typescript);
        try
        {
            return await RunAsync(
                Path.Combine(JsDirectory, "node_modules", ".bin", "tsc"),
                "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
