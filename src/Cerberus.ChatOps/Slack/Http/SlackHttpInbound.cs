using System.Text;
using System.Text.Json;
using Cerberus.ChatOps.Slack.Inbound;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Http;

/// <summary>
/// The three HTTP routes. Each one: content type (415) → raw body with a cap (413) → <c>ssl_check</c> (200, as
/// Bolt) → signature on the raw bytes (401) → parse (400) → <see cref="SlackInboundPipeline"/> → 200 with an empty
/// body (the engine answers through response_url or the Web API). A request from another workspace, org or app is
/// answered 200 and not stored: a slash command gets an ephemeral "This app only serves its own workspace.", an
/// interaction or event an empty body (so that Slack does not retry it). Only an insert happens before the answer.
/// The pipeline (and with it the inbox store) is resolved only after the signature is verified, so that an
/// unverified request is refused with 401 whatever the state of the store.
/// </summary>
internal sealed partial class SlackHttpInbound(
    IOptionsMonitor<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackHttpInbound> logger)
{
    private const string FormType = "application/x-www-form-urlencoded";
    private const string JsonType = "application/json";

    public async Task<IResult> CommandsAsync(HttpContext context)
    {
        var (refusal, body) = await AdmitAsync(context, FormType, "commands");
        if (refusal is not null)
        {
            return refusal;
        }

        var fields = ReadForm(body!);
        if (fields is null)
        {
            return Results.BadRequest();
        }

        var outcome = await Pipeline(context).AcceptCommandAsync(fields, context.RequestAborted);
        if (SlackInboundPipeline.AnswerOf(outcome) is { } answer)
        {
            // Slack's way to refuse a command: a 200 whose body is the (ephemeral) answer.
            return Results.Json(new { response_type = "ephemeral", text = answer });
        }

        return outcome == InboundOutcome.Invalid ? Results.BadRequest() : Results.Ok();
    }

    public async Task<IResult> InteractionsAsync(HttpContext context)
    {
        var (refusal, body) = await AdmitAsync(context, FormType, "interactions");
        if (refusal is not null)
        {
            return refusal;
        }

        var fields = ReadForm(body!);
        if (fields is null || !fields.TryGetValue("payload", out var json) || !TryParseJson(json, out var payload))
        {
            return Results.BadRequest();
        }

        using (payload)
        {
            var outcome = await Pipeline(context).AcceptInteractionAsync(payload.RootElement, context.RequestAborted);
            return outcome == InboundOutcome.Invalid ? Results.BadRequest() : Results.Ok();
        }
    }

    public async Task<IResult> EventsAsync(HttpContext context)
    {
        var (refusal, body) = await AdmitAsync(context, JsonType, "events");
        if (refusal is not null)
        {
            return refusal;
        }

        if (!TryParseJson(Encoding.UTF8.GetString(body!), out var document))
        {
            return Results.BadRequest();
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "url_verification")
            {
                return root.TryGetProperty("challenge", out var challenge) && challenge.ValueKind == JsonValueKind.String
                    ? Results.Json(new { challenge = challenge.GetString() })
                    : Results.BadRequest();
            }

            var outcome = await Pipeline(context).AcceptEventAsync(root, context.RequestAborted);
            return outcome == InboundOutcome.Invalid ? Results.BadRequest() : Results.Ok();
        }
    }

    /// <summary>Null refusal and the verified body, or the answer to give.</summary>
    private async Task<(IResult? Refusal, byte[]? Body)> AdmitAsync(HttpContext context, string contentType, string route)
    {
        var request = context.Request;
        var isForm = HasType(request, FormType);
        if (!HasType(request, contentType) && !isForm)
        {
            return (Results.StatusCode(StatusCodes.Status415UnsupportedMediaType), null);
        }

        var settings = options.CurrentValue;
        var body = await SlackBodyReader.ReadAsync(request, settings.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            Log.TooLarge(logger, route, settings.MaxBodyBytes);
            return (Results.StatusCode(StatusCodes.Status413PayloadTooLarge), null);
        }

        if (isForm && SlackBodyReader.IsSslCheck(body))
        {
            // Bolt answers Slack's ssl_check with an empty 200 before any verification, and reads nothing else.
            return (Results.Ok(), null);
        }

        if (!HasType(request, contentType))
        {
            // Events come as JSON; a form on /slack/events is only ever Slack's ssl_check.
            return (Results.StatusCode(StatusCodes.Status415UnsupportedMediaType), null);
        }

        var verdict = SlackRequestVerifier.Verify(
            settings.SigningSecret,
            body,
            request.Headers[SlackRequestVerifier.TimestampHeader],
            request.Headers[SlackRequestVerifier.SignatureHeader],
            time.GetUtcNow());
        if (verdict != SlackVerification.Valid)
        {
            Log.Unverified(logger, route, verdict);
            return (Results.Unauthorized(), null);
        }

        return (null, body);
    }

    private static SlackInboundPipeline Pipeline(HttpContext context) => context.RequestServices.GetRequiredService<SlackInboundPipeline>();

    private static bool HasType(HttpRequest request, string type) =>
        request.ContentType is { } value && value.Split(';')[0].Trim().Equals(type, StringComparison.OrdinalIgnoreCase);

    /// <summary>The form's fields, or null when it will not parse or repeats a field.</summary>
    private static Dictionary<string, string>? ReadForm(byte[] body)
    {
        try
        {
            using var reader = new FormReader(Encoding.UTF8.GetString(body));
            var form = reader.ReadForm();
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, values) in form)
            {
                if (values.Count != 1)
                {
                    return null;
                }

                fields[key] = values[0] ?? string.Empty;
            }

            return fields;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static bool TryParseJson(string json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonDocument? document)
    {
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Slack {Route}: refused, signature check gave {Verdict}")]
        public static partial void Unverified(ILogger logger, string route, SlackVerification verdict);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Slack {Route}: refused, body over {MaxBytes} bytes")]
        public static partial void TooLarge(ILogger logger, string route, int maxBytes);
    }
}
