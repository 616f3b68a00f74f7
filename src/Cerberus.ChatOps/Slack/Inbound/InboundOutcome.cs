namespace Cerberus.ChatOps.Slack.Inbound;

/// <summary>What the inbound pipeline did with a verified request.</summary>
internal enum InboundOutcome
{
    /// <summary>Stored in the inbox and the worker was signalled.</summary>
    Accepted,

    /// <summary>Its dedupe key was seen before (a retry or a double click): acknowledged, not stored again.</summary>
    Duplicate,

    /// <summary>Not a payload we can read (missing fields, wrong shape): a 400 on HTTP.</summary>
    Invalid,

    /// <summary>Valid but nothing for the bot (e.g. an event type other than event_callback): acknowledged.</summary>
    Ignored,

    /// <summary>From another workspace, org or app (<see cref="SlackWorkspaceGate"/>): answered, not stored.</summary>
    Refused,

    /// <summary>Not from a listed workspace while auth.test has not answered yet: answered, not stored (fail closed).</summary>
    RefusedOwnWorkspaceUnknown,
}
