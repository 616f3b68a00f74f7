using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Paging;

/// <summary>
/// POST of one event to the Events API v2 (<c>/v2/enqueue</c>): 202 is accepted; 400 is an event PagerDuty will never
/// take (not retried); 429 and 5xx, a timeout or a lost connection are retried by the outbox. The routing key is
/// added here and never appears in an error or a log.
/// </summary>
internal sealed class PagerDutyClient(HttpClient http, IOptionsMonitor<PagerDutyOptions> options)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public bool Enabled => options.CurrentValue.Enabled;

    public async Task SendAsync(PagerDutyEvent pagerEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pagerEvent);
        var settings = options.CurrentValue;
        if (!settings.Enabled)
        {
            throw new PagerDutyException("routing_key_missing", transient: false);
        }

        var body = JsonSerializer.SerializeToNode(pagerEvent)!.AsObject();
        body["routing_key"] = settings.RoutingKey;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(new Uri(settings.EventsUrl), body, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PagerDutyException("timeout", transient: true);
        }
        catch (HttpRequestException ex)
        {
            throw new PagerDutyException("connection_failed: " + (ex.HttpRequestError.ToString()), transient: true);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Accepted || response.IsSuccessStatusCode)
            {
                return;
            }

            var message = await ReadMessageAsync(response, cancellationToken);
            var status = (int)response.StatusCode;
            var retryAfter = response.Headers.RetryAfter?.Delta;
            throw status is 429 or >= 500
                ? new PagerDutyException($"http_{status}{message}", transient: true, retryAfter)
                : new PagerDutyException($"http_{status}{message}", transient: false);
        }
    }

    /// <summary>PagerDuty's own words about a refusal ("Event object is invalid: …"), bounded.</summary>
    private static async Task<string> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
            var text = string.Join("; ", new[] { json?["message"]?.ToString() }
                .Concat(json?["errors"] is JsonArray errors ? errors.Select(e => e?.ToString()) : [])
                .Where(t => !string.IsNullOrWhiteSpace(t)));
            return text.Length == 0 ? string.Empty : ": " + (text.Length > 200 ? text[..200] : text);
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}

/// <summary>An event PagerDuty did not take: <see cref="Transient"/> ones are retried through the outbox.</summary>
internal sealed class PagerDutyException(string error, bool transient, TimeSpan? retryAfter = null) : Exception(error)
{
    public string Error { get; } = error;

    public bool Transient { get; } = transient;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
