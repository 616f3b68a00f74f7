using System.Globalization;

namespace Cerberus.ChatOps.Cli;

/// <summary>
/// Who runs the break-glass CLI: <c>cli:&lt;name&gt;</c>, where the name is the operating system's account of the
/// process (its effective user), or <c>SUDO_USER</c> when the process runs as root through sudo. Never a switch or a
/// configuration key: <c>Cerberus:Cli:User</c> is refused (see <see cref="SelfAssertedRefusal"/>), so that a
/// <c>cli:</c> entry in <c>Cerberus:Approvers</c> cannot be claimed by typing a name. An account without a passwd
/// entry (a numeric container user) is <c>cli:uid-&lt;n&gt;</c>. The same approval policy applies: list
/// <c>cli:&lt;name&gt;</c> in <c>Cerberus:Approvers</c> to let them approve.
/// </summary>
internal static class CliActor
{
    public const string Prefix = "cli:";

    /// <summary>No longer honoured: a self-asserted name. Given anyway, the CLI refuses to run.</summary>
    public const string UserKey = "Cerberus:Cli:User";

    public const string SelfAssertedRefusal =
        "Cerberus:Cli:User (Cerberus__Cli__User, --Cerberus:Cli:User) is no longer accepted: the CLI acts as your OS user (or SUDO_USER under sudo); unset it and run again.";

    /// <summary>True when <see cref="UserKey"/> is given in any configuration source.</summary>
    public static bool IsSelfAsserted(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration[UserKey] is not null;
    }

    /// <summary>The actor of this process, from the operating system.</summary>
    public static string Resolve() =>
        Resolve(Environment.UserName, Environment.IsPrivilegedProcess, Environment.GetEnvironmentVariable("SUDO_USER"), EffectiveUid);

    /// <summary>
    /// <paramref name="osUser"/> is the effective user's name ("" without a passwd entry); <paramref name="sudoUser"/>
    /// counts only for a privileged process (anyone can set the variable, only sudo makes us root).
    /// </summary>
    internal static string Resolve(string osUser, bool privileged, string? sudoUser, Func<string?> uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        if (privileged && !string.IsNullOrWhiteSpace(sudoUser) && sudoUser != "root")
        {
            return Of(sudoUser);
        }

        if (!string.IsNullOrWhiteSpace(osUser))
        {
            return Of(osUser);
        }

        return uid() is { } id ? Of("uid-" + id) : Of(string.Empty);
    }

    public static string Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (trimmed.StartsWith(Prefix, StringComparison.Ordinal))
        {
            trimmed = trimmed[Prefix.Length..];
        }

        var clean = new string([.. trimmed.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')]);
        return Prefix + (clean.Length == 0 ? "unknown" : clean.ToLowerInvariant());
    }

    /// <summary>Linux: the effective uid from <c>/proc/self/status</c> (<c>Uid: real effective saved fs</c>); null elsewhere.</summary>
    private static string? EffectiveUid()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var parts = line?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: >= 3 } && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var euid)
                ? euid.ToString(CultureInfo.InvariantCulture)
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
