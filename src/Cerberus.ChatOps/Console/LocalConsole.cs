using System.Security.Cryptography;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// The local console's identity: on when no Slack credentials are configured. Holds the signing secret generated
/// at start (in memory only, never logged or shown) and the one local base the Slack client may post to.
/// </summary>
internal sealed class LocalConsole
{
    public const string Path = "/console";

    /// <summary>The base of everything the Slack client talks to in console mode (the SSRF guard allows exactly this).</summary>
    public const string LocalBase = "http://localhost/console/";
    public const string ApiBase = LocalBase + "slack/api/";
    public const string ResponsePrefix = LocalBase + "response/";
    public const string UploadPrefix = LocalBase + "upload/";

    /// <summary>A placeholder bot token for the in-process Slack (not a credential: nothing outside the process accepts it).</summary>
    public const string LocalBotToken = "xoxb-local-console";

    public const string TeamId = "T0LOCAL";
    public const string AppId = "A0LOCAL";
    public const string Channel = "C0CONSOLE";
    public const string ChannelName = "db-incident";
    public const string UserId = "U0CONSOLE";
    public const string UserName = "you";

    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Used by the options (verifier) and the console's signer only.</summary>
    internal string SigningSecret => _secret;

    public static bool IsWanted(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.IsNullOrWhiteSpace(configuration["Slack:SigningSecret"]) && string.IsNullOrWhiteSpace(configuration["Slack:AppToken"]);
    }

    public override string ToString() => "LocalConsole";
}
