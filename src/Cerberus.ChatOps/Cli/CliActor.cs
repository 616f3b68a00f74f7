namespace Cerberus.ChatOps.Cli;

/// <summary>
/// Who runs the break-glass CLI: <c>cli:&lt;name&gt;</c>, the name from <c>Cerberus:Cli:User</c> or the OS user.
/// The same approval policy applies: list <c>cli:&lt;name&gt;</c> in <c>Cerberus:Approvers</c> to let them approve.
/// </summary>
internal static class CliActor
{
    public const string Prefix = "cli:";
    public const string UserKey = "Cerberus:Cli:User";

    public static string Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[UserKey];
        return Of(string.IsNullOrWhiteSpace(configured) ? Environment.UserName : configured);
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
}
