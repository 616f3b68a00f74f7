namespace Cerberus.ChatOps.Paging;

/// <summary><c>Cerberus:PagerDuty</c>: paging out through PagerDuty's Events API v2. Off without a routing key.</summary>
internal sealed class PagerDutyOptions
{
    public const string Section = "Cerberus:PagerDuty";
    public const string DefaultEventsUrl = "https://events.pagerduty.com/v2/enqueue";

    /// <summary>The integration (routing) key of an Events API v2 integration: a secret, from the environment.</summary>
    public string? RoutingKey { get; set; }

    /// <summary>Where events are sent (a fake's URL in tests).</summary>
    public string EventsUrl { get; set; } = DefaultEventsUrl;

    /// <summary>The event's <c>payload.source</c>: the system the incident is about.</summary>
    public string Source { get; set; } = "postgresql";

    public bool Enabled => !string.IsNullOrEmpty(RoutingKey);
}
