using System.Text.Json;
using Cerberus.ChatOps.Api;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack.Inbound;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Alerts;

/// <summary>
/// <c>POST /alerts/alertmanager</c>: Alertmanager's webhook. Bearer token first (constant time; none configured →
/// 401), then the size cap (413), then the format (400); a valid notification is stored in the durable inbox and
/// answered 200 only once it is durable, so Alertmanager's retry of a failed delivery never loses or doubles it
/// (the dedupe key is the notification's content). The engine declares or updates the incident from the inbox.
/// </summary>
internal static partial class AlertmanagerEndpoints
{
    public const string Path = "/alerts/alertmanager";

    public const string NotConfiguredMessage =
        "The Alertmanager webhook is closed: no bearer token is configured (Cerberus__Alerts__BearerToken, with Cerberus__Alerts__Channel).";

    public static IEndpointRouteBuilder MapAlertmanager(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, ReceiveAsync).WithName("AlertmanagerWebhook").WithTags("Alerts");
        return endpoints;
    }

    internal static async Task<Results<Ok<AlertmanagerReceipt>, ProblemHttpResult>> ReceiveAsync(
        HttpContext http,
        IOptionsMonitor<AlertsOptions> options,
        IInboxStore inbox,
        InboundSignal signal,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(AlertmanagerEndpoints).FullName!);
        var settings = options.CurrentValue;
        if (string.IsNullOrEmpty(settings.BearerToken) || string.IsNullOrEmpty(settings.Channel))
        {
            Log.NotConfigured(logger);
            return Unauthorized(http, NotConfiguredMessage, null);
        }

        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
        {
            return Unauthorized(http, BearerTokenFilter.MissingMessage, null);
        }

        if (!BearerTokenFilter.SameToken(header[scheme.Length..].Trim(), settings.BearerToken))
        {
            Log.WrongToken(logger, http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Unauthorized(http, BearerTokenFilter.WrongMessage, "invalid_token");
        }

        if (http.Request.ContentLength > settings.MaxBodyBytes)
        {
            return TooLarge(settings.MaxBodyBytes);
        }

        var body = await ReadCappedAsync(http.Request.Body, settings.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return TooLarge(settings.MaxBodyBytes);
        }

        var (batch, problem) = AlertmanagerParser.Parse(body);
        if (batch is null)
        {
            Log.Rejected(logger, problem!);
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest, title: "Bad Request");
        }

        var item = new InboundItem
        {
            Key = batch.DedupeKey,
            Kind = InboundKinds.Alert,
            Payload = JsonSerializer.Serialize(batch, AlertIntakeJson.Options),
            ReceivedAt = time.GetUtcNow(),
        };
        try
        {
            if (!await inbox.TryAddAsync(item, cancellationToken))
            {
                Log.Duplicate(logger, batch.GroupKey, batch.Status);
                return TypedResults.Ok(new AlertmanagerReceipt("duplicate", batch.Alerts.Count));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.StoreFailed(logger, ex);
            return TypedResults.Problem("The bot could not store the notification; Alertmanager retries it.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable");
        }

        signal.Notify();
        Log.Accepted(logger, batch.GroupKey, batch.Status, batch.Alerts.Count);
        return TypedResults.Ok(new AlertmanagerReceipt("accepted", batch.Alerts.Count));
    }

    /// <summary>The body, or null once it passes <paramref name="max"/> bytes (a chunked body has no Content-Length).</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream body, int max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge(int max) =>
        TypedResults.Problem($"The notification is larger than {max} bytes (Cerberus__Alerts__MaxBodyBytes); set max_alerts in the receiver.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large");

    private static ProblemHttpResult Unauthorized(HttpContext http, string message, string? error) => BearerTokenFilter.Refuse(http, message, error);

    private static partial class Log
    {
        [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "Alertmanager webhook refused: no bearer token or channel is configured")]
        public static partial void NotConfigured(ILogger logger);

        [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "Alertmanager webhook from {Remote} refused: wrong bearer token")]
        public static partial void WrongToken(ILogger logger, string remote);

        [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "Alertmanager notification rejected: {Problem}")]
        public static partial void Rejected(ILogger logger, string problem);

        [LoggerMessage(EventId = 7204, Level = LogLevel.Information, Message = "Alertmanager notification {GroupKey} ({Status}) is a repeat; acknowledged, not queued again")]
        public static partial void Duplicate(ILogger logger, string groupKey, string status);

        [LoggerMessage(EventId = 7205, Level = LogLevel.Error, Message = "Alertmanager notification could not be stored; answered 503 so that Alertmanager retries")]
        public static partial void StoreFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 7206, Level = LogLevel.Information, Message = "Alertmanager notification {GroupKey} ({Status}, {Count} alert(s)) accepted")]
        public static partial void Accepted(ILogger logger, string groupKey, string status, int count);
    }
}

/// <summary>The webhook's answer: accepted (queued) or duplicate (seen before), and how many alerts it held.</summary>
internal sealed record AlertmanagerReceipt(string Status, int Alerts);

/// <summary>How an <see cref="AlertBatch"/> is kept in the inbox.</summary>
internal static class AlertIntakeJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
