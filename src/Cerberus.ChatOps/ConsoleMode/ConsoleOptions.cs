namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// <c>Cerberus:Console</c>: whether the local console may start and on which loopback port. Read once at start,
/// when the services are registered (the console is either there or not).
/// </summary>
internal sealed class ConsoleOptions
{
    public const string Section = "Cerberus:Console";

    /// <summary>
    /// Unset: on when Slack is not configured and the process is not in a cluster (<c>KUBERNETES_SERVICE_HOST</c>
    /// unset). <c>true</c>: on in a cluster too (still only without Slack credentials). <c>false</c>: never.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>The console's own 127.0.0.1 listener; 0 (the default) takes any free port. The URL is printed at start.</summary>
    public int Port { get; set; }

    public static ConsoleOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        if (options.Port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"Failed to convert configuration value at '{Section}:Port': '{options.Port}' is not a port (0 for any free one, else 1-65535).");
        }

        return options;
    }
}
