using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.IntegrationTests.Console;

/// <summary>
/// The real host as a process (<c>dotnet Cerberus.ChatOps.dll</c> from the test's output folder) on a free
/// loopback port, with its own SQLite store in a temp folder and no Slack credentials unless given.
/// </summary>
internal sealed partial class CerberusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _directory;

    private CerberusProcess(Process process, string directory, Uri baseUrl)
    {
        _process = process;
        _directory = directory;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// The local console's URL with its access token, as the host prints it at start
    /// (<c>http://127.0.0.1:PORT/console?token=…</c>), or null when it printed none within <paramref name="wait"/>.
    /// </summary>
    public async Task<Uri?> ConsoleUrlAsync(TimeSpan? wait = null)
    {
        Match? match = null;
        return await Eventually.TryAsync(() => Task.FromResult((match = ConsoleLine().Match(Log)).Success), wait ?? TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100))
            ? new Uri(match!.Groups["url"].Value)
            : null;
    }

    public static async Task<CerberusProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cerberus-host-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = Start(directory, environment, arguments);
        start.Environment["ASPNETCORE_URLS"] = baseUrl.ToString().TrimEnd('/');
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the host");
        var host = new CerberusProcess(process, directory, baseUrl);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.Async(
                async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException("the host exited at start:\n" + host.Log);
                    }

                    using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
                    return response.StatusCode == HttpStatusCode.OK;
                },
                TimeSpan.FromSeconds(30),
                "the host did not answer /healthz",
                TimeSpan.FromMilliseconds(200),
                retryOn: ex => ex is HttpRequestException or TaskCanceledException);
            return host;
        }
        catch (TimeoutException ex)
        {
            await host.DisposeAsync();
            throw new TimeoutException(ex.Message + ":\n" + host.Log, ex);
        }
    }

    /// <summary>Runs <c>Cerberus.ChatOps incident …</c> (the break-glass CLI) on a store folder; returns the exit code and stdout.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunCliAsync(string directory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = Start(directory, environment, ["incident", .. arguments]);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the CLI");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ProcessStartInfo Start(string directory, IReadOnlyDictionary<string, string>? environment, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cerberus.ChatOps.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Slack__", StringComparison.Ordinal) || k.StartsWith("Cerberus__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        // What the process would otherwise inherit from the machine running the tests (a pod, a sudo shell) is set per test.
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        start.Environment.Remove("SUDO_USER");
        start.Environment["Cerberus__Store__ConnectionString"] = $"Data Source={Path.Combine(directory, "cerberus.db")}";
        start.Environment["Cerberus__Kubernetes__Enabled"] = "false";
        start.Environment["CERBERUS_LOG_FORMAT"] = "text";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Local console: open (?<url>http://127\.0\.0\.1:\d+/console\?token=[0-9a-f]+)")]
    private static partial Regex ConsoleLine();
}
