using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Cerberus.ChatOps.Slack.Http;

/// <summary>
/// Slack's <c>v0</c> request signature (docs/slack.md, "Inbound: what each endpoint answers"), as a pure function of the secret, the raw body,
/// the two headers and the clock: HMAC-SHA256 over <c>v0:{timestamp}:{raw body}</c>, lowercase hex, compared in
/// constant time; the timestamp must be a single integer within 300 s of now in either direction (Bolt only
/// rejects old ones); no secret means nothing is valid.
/// </summary>
internal static class SlackRequestVerifier
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(300);

    private const string Version = "v0";

    public static SlackVerification Verify(
        string? signingSecret,
        ReadOnlySpan<byte> body,
        StringValues timestampHeader,
        StringValues signatureHeader,
        DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signingSecret))
        {
            return SlackVerification.NoSigningSecret;
        }

        if (timestampHeader.Count == 0 || string.IsNullOrEmpty(timestampHeader[0]))
        {
            return SlackVerification.MissingTimestamp;
        }

        var timestamp = timestampHeader[0]!;
        if (timestampHeader.Count > 1
            || timestamp.Length > 12
            || !timestamp.All(char.IsAsciiDigit)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SlackVerification.InvalidTimestamp;
        }

        var age = now.ToUnixTimeSeconds() - seconds;
        if (age > Window.TotalSeconds)
        {
            return SlackVerification.Stale;
        }

        if (-age > Window.TotalSeconds)
        {
            return SlackVerification.Future;
        }

        if (signatureHeader.Count != 1 || string.IsNullOrEmpty(signatureHeader[0]))
        {
            return SlackVerification.MissingSignature;
        }

        var signature = signatureHeader[0]!;
        if (!signature.StartsWith(Version + "=", StringComparison.Ordinal))
        {
            return SlackVerification.UnknownVersion;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(signingSecret, timestamp, body));
        var actual = Encoding.UTF8.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? SlackVerification.Valid : SlackVerification.BadSignature;
    }

    /// <summary><c>v0=</c> + lowercase hex HMAC-SHA256 of <c>v0:{timestamp}:{body}</c> keyed with the UTF-8 secret.</summary>
    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(signingSecret);
        ArgumentNullException.ThrowIfNull(timestamp);
        var prefix = Encoding.UTF8.GetBytes($"{Version}:{timestamp}:");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), data);
        return Version + "=" + Convert.ToHexStringLower(mac);
    }
}
