using System.Security.Cryptography;
using System.Text;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// The local console's identity: on when no Slack credentials are configured, and not in a cluster unless
/// <c>Cerberus:Console:Enabled=true</c> (<see cref="IsWanted(IConfiguration, string?)"/>). Holds, in memory only, the
/// signing secret generated at start (never logged or shown) and the access token every console request must carry
/// (shown once, in the URL printed at start), and the one local base the Slack client may post to.
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

    /// <summary>The environment variable Kubernetes sets in every container.</summary>
    public const string KubernetesVariable = "KUBERNETES_SERVICE_HOST";

    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly byte[] _token;

    public LocalConsole(int port = 0)
    {
        Port = port;
        AccessToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _token = Encoding.ASCII.GetBytes(AccessToken);
    }

    /// <summary>The port asked for (0: any free one); the bound one is known once the listener runs.</summary>
    public int Port { get; }

    /// <summary>Used by the options (verifier) and the console's signer only.</summary>
    internal string SigningSecret => _secret;

    /// <summary>Required on every console request (query <c>token</c> on first load, then a cookie or header); printed once at start.</summary>
    internal string AccessToken { get; }

    /// <summary>Whether <paramref name="candidate"/> is the access token, compared in constant time.</summary>
    public bool IsAccessToken(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

    public static bool IsWanted(IConfiguration configuration) =>
        IsWanted(configuration, Environment.GetEnvironmentVariable(KubernetesVariable));

    /// <summary>No Slack credentials, and either not in a cluster or explicitly enabled; <c>Enabled=false</c> always wins.</summary>
    public static bool IsWanted(IConfiguration configuration, string? kubernetesServiceHost)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!IsSlackUnconfigured(configuration))
        {
            return false;
        }

        return ConsoleOptions.From(configuration).Enabled ?? string.IsNullOrEmpty(kubernetesServiceHost);
    }

    public static bool IsSlackUnconfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.IsNullOrWhiteSpace(configuration["Slack:SigningSecret"]) && string.IsNullOrWhiteSpace(configuration["Slack:AppToken"]);
    }

    public override string ToString() => "LocalConsole";
}
