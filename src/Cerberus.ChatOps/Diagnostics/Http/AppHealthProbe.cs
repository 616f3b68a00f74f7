using System.Globalization;
using System.Net.Sockets;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Diagnostics.Http;

/// <summary>
/// The runbook's <c>curl http://…:8000/health</c>: one GET with a short timeout, status code and latency.
/// 5xx, refused and no answer in time are CRIT (the app is down or hung); slower than the threshold is WARN.
/// No retries: a retry would hide exactly the flakiness this probe reports.
/// </summary>
internal sealed partial class AppHealthProbe(IHttpClientFactory httpClients, IOptions<AppOptions> options, TimeProvider time, ILogger<AppHealthProbe> logger)
    : IDiagnosticProbe
{
    public const string HttpClientName = "cerberus-app-health";

    private readonly AppOptions _options = options.Value;

    public string Name => ProbeNames.App;

    public TimeSpan Timeout => _options.Timeout + TimeSpan.FromSeconds(1);

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (!_options.IsConfigured || !Uri.TryCreate(_options.HealthUrl, UriKind.Absolute, out var url))
        {
            return ProbeResult.Of(Name, ProbeStatus.Unknown, "the application's health URL is not configured (Cerberus__App__HealthUrl)", time.GetElapsedTime(started));
        }

        var shown = Shown(url);
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(_options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var http = httpClients.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var elapsed = time.GetElapsedTime(started);
            var code = (int)response.StatusCode;
            facts[FactKeys.AppHttpStatus] = code.ToString(CultureInfo.InvariantCulture);
            facts[FactKeys.AppLatencyMs] = elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            var status = code >= 500 ? ProbeStatus.Crit
                : code >= 400 ? ProbeStatus.Warn
                : elapsed > _options.SlowThreshold ? ProbeStatus.Warn
                : ProbeStatus.Ok;
            var slow = elapsed > _options.SlowThreshold ? $" (slow: over {_options.SlowThreshold.TotalMilliseconds:0} ms)" : string.Empty;
            var summary = $"GET {shown} answered {code} {response.ReasonPhrase} in {elapsed.TotalMilliseconds:0} ms{slow}";
            Log.Answered(logger, code, elapsed.TotalMilliseconds);
            return new ProbeResult(Name, status, summary, [], facts, elapsed);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.TimedOut(logger, _options.Timeout.TotalSeconds);
            facts[FactKeys.AppLatencyMs] = time.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            return new ProbeResult(Name, ProbeStatus.Crit, $"GET {shown}: no answer within {Durations.Format(_options.Timeout)} (the application hangs)", [], facts, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            return ProbeResult.Of(Name, ProbeStatus.Unknown, $"GET {shown}: cancelled", time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            var why = ex.InnerException is SocketException se ? se.SocketErrorCode.ToString() : ex.HttpRequestError.ToString();
            Log.Failed(logger, why);
            return ProbeResult.Of(Name, ProbeStatus.Crit, $"GET {shown} failed: {SecretRedactor.Redact(why)} (the application is down or unreachable)", time.GetElapsedTime(started));
        }
    }

    /// <summary>The URL as messages show it: no user info, no query (either may carry a secret).</summary>
    internal static string Shown(Uri url) => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "App health: {StatusCode} in {ElapsedMs:0} ms")]
        public static partial void Answered(ILogger logger, int statusCode, double elapsedMs);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "App health: no answer within {TimeoutSeconds} s")]
        public static partial void TimedOut(ILogger logger, double timeoutSeconds);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "App health: GET failed ({Error})")]
        public static partial void Failed(ILogger logger, string error);
    }
}
