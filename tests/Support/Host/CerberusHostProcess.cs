using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cerberus.ChatOps.Tests.Support.Host;

/// <summary>
/// The real host as a child process (<c>dotnet Cerberus.ChatOps.dll --urls http://127.0.0.1:port</c>), configured
/// only through environment variables, as in production. <see cref="Kill"/> is SIGKILL of the whole process tree.
/// </summary>
public sealed class CerberusHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CerberusHostProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>From Process.Start to the first <c>/readyz</c> 200.</summary>
    public TimeSpan StartupTime { get; private set; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the host wrote (stdout and stderr), for failure messages.</summary>
    public string OutputTail
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 6000 ? text[^6000..] : text;
            }
        }
    }

    /// <summary>The host's dll, built next to the test assembly's configuration (Debug or Release).</summary>
    public static string HostDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cerberus.ChatOps.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("Cerberus.ChatOps.sln not found above " + AppContext.BaseDirectory);
        }

        var dll = Path.Combine(dir.FullName, "src", "Cerberus.ChatOps", "bin", configuration, "net10.0", "Cerberus.ChatOps.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution ({configuration}) first");
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts the host and waits until <c>/readyz</c> answers 200 (or the process dies, or <paramref name="limit"/> passes).</summary>
    public static async Task<CerberusHostProcess> StartAsync(IReadOnlyDictionary<string, string> environment, TimeSpan limit, int? port = null)
    {
        var url = new Uri($"http://127.0.0.1:{port ?? FreePort()}/");
        var dll = HostDll();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(url.ToString().TrimEnd('/'));
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var watch = Stopwatch.StartNew();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var host = new CerberusHostProcess(process, url);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.Async(
                async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"the host exited with {process.ExitCode} during start-up:\n{host.OutputTail}");
                    }

                    using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                    return response.StatusCode == HttpStatusCode.OK;
                },
                limit,
                "the host was not ready",
                retryOn: ex => ex is HttpRequestException or TaskCanceledException);
        }
        catch (TimeoutException ex)
        {
            host.Kill();
            throw new TimeoutException($"{ex.Message}:\n{host.OutputTail}", ex);
        }

        host.StartupTime = watch.Elapsed;
        return host;
    }

    /// <summary>SIGTERM, as Kubernetes sends it in a rolling update; returns once the process has exited by itself.</summary>
    public async Task TerminateAsync(TimeSpan limit)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>kill -9 of the host and its children; returns once the process is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(10_000);
    }

    /// <summary>VmRSS of the process in KiB, from /proc/&lt;pid&gt;/status.</summary>
    public long ResidentKilobytes()
    {
        foreach (var line in File.ReadAllLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }
        }
    }
}
