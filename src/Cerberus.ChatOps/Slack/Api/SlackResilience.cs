using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// The Web API client's Polly pipeline (no hand-written retry loop): a retry that waits Slack's Retry-After on
/// 429 and on <c>ok:false</c> <c>ratelimited</c> (the call did not run, so repeating any call is safe), and
/// retries 5xx, network errors and attempt timeouts with capped exponential backoff and jitter only for calls
/// marked idempotent; then a per-attempt timeout. Any other <c>ok:false</c> is never retried.
/// </summary>
internal static class SlackResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SlackOptions>>().CurrentValue;
        var gate = services.GetRequiredService<SlackMethodGate>();
        var time = services.GetRequiredService<TimeProvider>();
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryAfter,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context, options, time, args.Context.CancellationToken),
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is { } r && IsRateLimitedStatus(r) ? RetryAfterOf(r, time) : null),
                OnRetry = args =>
                {
                    if (CallOf(args.Outcome.Result?.RequestMessage) is { } retried)
                    {
                        Hosting.Metrics.CerberusMetrics.SlackApiRetried(retried.Method);
                    }

                    if (args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } r && CallOf(r.RequestMessage) is { } call)
                    {
                        gate.Block(call.Method, RetryAfterOf(r, time));
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>Slack's Retry-After in seconds (1 s when missing, as python slack_sdk does).</summary>
    public static TimeSpan RetryAfterOf(HttpResponseMessage response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(time);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        return header?.Date is { } date ? TimeSpan.FromTicks(Math.Max(0, (date - time.GetUtcNow()).Ticks)) : TimeSpan.FromSeconds(1);
    }

    internal static SlackCall? CallOf(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(SlackCall.Key, out var call) ? call : null;

    private static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context, SlackOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var call = CallOf(outcome.Result?.RequestMessage ?? context.GetRequestMessage());
        if (call is null)
        {
            return false;
        }

        if (outcome.Exception is not null)
        {
            return call.Idempotent && outcome.Exception is HttpRequestException or TimeoutRejectedException;
        }

        var response = outcome.Result!;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return RetryAfterOf(response, time) <= options.MaxRetryAfter;
        }

        if ((int)response.StatusCode >= 500)
        {
            return call.Idempotent;
        }

        if (response.StatusCode == HttpStatusCode.OK && await IsRateLimitedBodyAsync(response, cancellationToken))
        {
            return RetryAfterOf(response, time) <= options.MaxRetryAfter;
        }

        return false;
    }

    private static bool IsRateLimitedStatus(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not null;

    private static async Task<bool> IsRateLimitedBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return false;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String
                && error.GetString() == "ratelimited";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
