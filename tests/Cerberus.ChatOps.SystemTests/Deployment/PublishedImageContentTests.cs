using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.SystemTests.Deployment;

/// <summary>
/// Without a Docker engine: publishes exactly as the Dockerfile's build stage does, then starts the output as its
/// runtime stage would (its ENV, /data and /tmp mapped to temporary folders) and asks <c>/healthz</c>.
/// </summary>
public sealed partial class PublishedImageContentTests
{
    [Fact]
    public async Task PublishOutput_StartedLikeTheRuntimeStage_AnswersHealthz200()
    {
        // arrange
        var stages = Dockerfile.Parse(File.ReadAllText(RepositoryPaths.Combine("Dockerfile")));
        var work = Directory.CreateTempSubdirectory("cerberus-publish-");
        var output = Path.Combine(work.FullName, "app");
        var data = Directory.CreateDirectory(Path.Combine(work.FullName, "data")).FullName;
        var tmp = Directory.CreateDirectory(Path.Combine(work.FullName, "tmp")).FullName;
        try
        {
            var publishArguments = PublishArguments(stages[0], output);
            var (exit, stdout, stderr) = await ExternalProcess.RunAsync(
                ExternalProcess.DotnetHost, publishArguments, RepositoryPaths.Root, TimeSpan.FromMinutes(5), "install the .NET 10 SDK");
            Assert.True(exit == 0, $"dotnet {string.Join(' ', publishArguments)} failed:\n{stdout}\n{stderr}");
            var port = FreePort();

            // act
            var (status, log) = await StartAndGetHealthzAsync(stages[^1], output, data, tmp, port);

            // assert
            Assert.True(status == HttpStatusCode.OK, $"GET /healthz answered {status}; the process printed:\n{log}");
            Assert.True(File.Exists(Path.Combine(output, "appsettings.json")), "appsettings.json is missing from the publish output");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The build stage's <c>dotnet publish</c> line, only <c>-o</c> pointed at <paramref name="output"/>.</summary>
    private static List<string> PublishArguments(DockerStage build, string output)
    {
        var line = build.ArgumentsOf("RUN").Single(r => r.StartsWith("dotnet publish ", StringComparison.Ordinal));
        var arguments = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        var o = arguments.IndexOf("-o");
        arguments[o + 1] = output;

        // Kept verbatim, --no-restore included: building this test project has restored the host already, and a
        // second restore could race with a build running beside the tests.
        return arguments;
    }

    private static async Task<(HttpStatusCode? Status, string Log)> StartAndGetHealthzAsync(DockerStage runtime, string app, string data, string tmp, int port)
    {
        var start = new ProcessStartInfo(ExternalProcess.DotnetHost)
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in runtime.Variables())
        {
            start.Environment[key] = ContainerPaths().Replace(value, m => m.Value == "/data" ? data : tmp);
        }

        start.ArgumentList.Add(Path.Combine(app, "Cerberus.ChatOps.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Cerberus__Kubernetes__Enabled"] = "false";

        using var process = ExternalProcess.TryStart(start) ?? throw new Xunit.Sdk.XunitException("could not start dotnet");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            HttpStatusCode? status = null;
            await Eventually.TryAsync( // until it answers anything, or has exited (it never will then)
                async () =>
                {
                    if (process.HasExited)
                    {
                        return true;
                    }

                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
                    status = response.StatusCode;
                    return true;
                },
                TimeSpan.FromSeconds(60),
                TimeSpan.FromMilliseconds(250),
                ex => ex is HttpRequestException or TaskCanceledException);
            return status is not null
                ? (status, Snapshot(log))
                : (null, (process.HasExited ? $"(exited with {process.ExitCode})\n" : "(no answer within 60 s)\n") + Snapshot(log));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    private static string Snapshot(System.Text.StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"(?<![\w.])/(data|tmp)(?=/|$|\b)")]
    private static partial Regex ContainerPaths();
}
