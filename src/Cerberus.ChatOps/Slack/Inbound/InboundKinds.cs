namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>Values of <see cref="Domain.Ports.InboundItem.Kind"/>; the payload is the JSON of the matching record.</summary>
internal static class InboundKinds
{
    /// <summary>Payload: <see cref="SlashCommand"/>.</summary>
    public const string Command = "command";

    /// <summary>Payload: <see cref="InteractionPayload"/>.</summary>
    public const string Interaction = "interaction";

    /// <summary>Payload: the Events API event callback JSON as Slack sent it.</summary>
    public const string Event = "event";

    /// <summary>Payload: an Alertmanager notification, validated (<see cref="Alerts.AlertBatch"/>).</summary>
    public const string Alert = "alert";
}
