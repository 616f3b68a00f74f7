namespace Cerberus.ChatOps.Slack.Http;

/// <summary>The outcome of checking a request's Slack signature; anything but <see cref="Valid"/> is a 401.</summary>
public enum SlackVerification
{
    Valid,
    NoSigningSecret,
    MissingTimestamp,
    InvalidTimestamp,
    Stale,
    Future,
    MissingSignature,
    UnknownVersion,
    BadSignature,
}
