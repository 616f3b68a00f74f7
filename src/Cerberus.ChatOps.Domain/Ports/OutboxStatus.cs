namespace Cerberus.ChatOps.Domain.Ports;

public enum OutboxStatus
{
    Pending,

    /// <summary>A send was attempted and its outcome is not known (crash or timeout): check before sending again.</summary>
    InFlight,

    Sent,

    /// <summary>Given up on: an error Slack says will never succeed (e.g. channel_not_found).</summary>
    Dead,
}
