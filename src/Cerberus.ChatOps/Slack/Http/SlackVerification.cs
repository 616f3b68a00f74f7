namespace Cerberus.ChatOps.Slack.Http;

/// <summary>The outcome of checking a request's Slack signature; anything but <see cref="Valid"/> is a 401.</summary>
/// <remarks>Public: the test projects take it as a theory parameter.</remarks>
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
