using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cerberus.ChatOps.Tests.Support.PagerDuty;

/// <summary>
/// PagerDuty's Events API v2 as documented: <c>POST /v2/enqueue</c> answers 202
/// <c>{"status":"success","message":"Event processed","dedup_key":…}</c>; an event without a 32-character routing key,
/// a known event_action, a dedup_key for acknowledge/resolve, or a trigger's summary, source and severity gets 400
/// <c>{"status":"invalid event","message":"Event object is invalid","errors":[…]}</c>. It keeps the incidents it
/// would open (one per dedup_key while not resolved) and can fail the next requests with a status.
/// </summary>
public sealed class FakePagerDutyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _events = [];
    private readonly Dictionary<string, string> _incidents = new(StringComparer.Ordinal);
    private readonly Queue<int> _failures = new();

    private FakePagerDutyServer(WebApplication app) => _app = app;

    public Uri EventsUrl { get; private set; } = null!;

    /// <summary>Every event accepted (202), in order.</summary>
    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>dedup_key → triggered, acknowledged or resolved.</summary>
    public IReadOnlyDictionary<string, string> Incidents
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_incidents, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>How many PagerDuty incidents the accepted triggers opened (a trigger on an open dedup_key opens none).</summary>
    public int IncidentsOpened { get; private set; }

    public int Requests { get; private set; }

    public static async Task<FakePagerDutyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakePagerDutyServer(app);
        app.MapPost("/v2/enqueue", (Delegate)server.EnqueueAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.EventsUrl = new Uri(address.TrimEnd('/') + "/v2/enqueue");
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests get <paramref name="status"/> (e.g. 500, 429) and change nothing.</summary>
    public void FailNext(int count, int status)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Enqueue(status);
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> EnqueueAsync(HttpContext context)
    {
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        lock (_gate)
        {
            Requests++;
            if (_failures.TryDequeue(out var status))
            {
                return status == 429
                    ? Results.Json(new { status = "throttle event", message = "Requests for this service are arriving too quickly." }, statusCode: 429)
                    : Results.StatusCode(status);
            }

            var errors = Validate(body);
            if (errors.Count > 0)
            {
                return Results.Json(new { status = "invalid event", message = "Event object is invalid", errors }, statusCode: 400);
            }

            var action = body!["event_action"]!.GetValue<string>();
            var key = body["dedup_key"]?.GetValue<string>() ?? Guid.NewGuid().ToString("N");
            if (action == "trigger" && (!_incidents.TryGetValue(key, out var state) || state == "resolved"))
            {
                IncidentsOpened++;
                _incidents[key] = "triggered";
            }
            else if (action is "acknowledge" or "resolve" && _incidents.ContainsKey(key))
            {
                _incidents[key] = action == "resolve" ? "resolved" : "acknowledged";
            }

            _events.Add(body);
            return Results.Json(new { status = "success", message = "Event processed", dedup_key = key }, statusCode: 202);
        }
    }

    private static List<string> Validate(JsonObject? body)
    {
        var errors = new List<string>();
        if (body is null)
        {
            return ["Event object is not JSON"];
        }

        if (body["routing_key"]?.GetValue<string>() is not { Length: 32 })
        {
            errors.Add("'routing_key' must be a 32 character Integration or ruleset Key");
        }

        var action = body["event_action"]?.GetValue<string>();
        if (action is not ("trigger" or "acknowledge" or "resolve"))
        {
            errors.Add("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
        }

        if (action is "acknowledge" or "resolve" && string.IsNullOrEmpty(body["dedup_key"]?.GetValue<string>()))
        {
            errors.Add("'dedup_key' is required for acknowledge and resolve events");
        }

        if (action == "trigger")
        {
            var payload = body["payload"] as JsonObject;
            foreach (var field in new[] { "summary", "source", "severity" })
            {
                if (string.IsNullOrEmpty(payload?[field]?.GetValue<string>()))
                {
                    errors.Add($"'payload.{field}' is missing or blank");
                }
            }

            if (payload?["severity"]?.GetValue<string>() is { } severity && severity is not ("critical" or "error" or "warning" or "info"))
            {
                errors.Add("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
            }
        }

        return errors;
    }
}
