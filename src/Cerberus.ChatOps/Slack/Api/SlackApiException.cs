namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// A failed Web API call with Slack's error code (<c>channel_not_found</c>, <c>ratelimited</c>...) or ours for
/// failures Slack did not describe (<c>http_503</c>, <c>network_error</c>, <c>timeout</c>). Never carries a token.
/// </summary>
internal sealed class SlackApiException : Exception
{
    private static readonly HashSet<string> TransientErrors = new(StringComparer.Ordinal)
    {
        "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
        "network_error", "timeout", "invalid_response", "not_configured",
    };

    private static readonly HashSet<string> NotSentErrors = new(StringComparer.Ordinal) { "ratelimited", "not_configured" };

    public SlackApiException()
        : this("unknown", "unknown_error")
    {
    }

    public SlackApiException(string message)
        : this("unknown", message)
    {
    }

    public SlackApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = "unknown";
        Error = "unknown_error";
    }

    public SlackApiException(string method, string error, int? httpStatus = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base($"Slack {method} failed: {error}" + (httpStatus is { } s ? $" (HTTP {s})" : string.Empty), innerException)
    {
        Method = method;
        Error = error;
        HttpStatus = httpStatus;
        RetryAfter = retryAfter;
    }

    /// <summary>The Web API method (or <c>response_url</c>, <c>upload</c>).</summary>
    public string Method { get; }

    /// <summary>Slack's error code, or ours (<c>http_503</c>, <c>network_error</c>, <c>timeout</c>).</summary>
    public string Error { get; }

    public int? HttpStatus { get; }

    /// <summary>Slack's Retry-After, when it rate-limited the call.</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsRateLimited => Error == "ratelimited" || HttpStatus == 429;

    /// <summary>Worth trying again later: rate limits, 5xx, network errors, timeouts, Slack's internal errors.</summary>
    public bool IsTransient => IsRateLimited || HttpStatus >= 500 || TransientErrors.Contains(Error);

    /// <summary>
    /// The call may have taken effect although it failed (5xx, timeout, network error, internal_error): a post must
    /// be looked for before it is sent again. A 429 or ratelimited is known not to have run.
    /// </summary>
    public bool MayHaveSucceeded => IsTransient && !IsRateLimited && !NotSentErrors.Contains(Error);
}
