using System.Globalization;

namespace Cerberus.ChatOps.Diagnostics.Kubernetes;

/// <summary>Parses POSIX <c>df -P</c> output (GNU coreutils and BusyBox), for blocks (-B1) and for inodes (-i).</summary>
internal static class DfParser
{
    /// <summary>The last filesystem line of the output, or null when there is none that parses.</summary>
    public static DfUsage? Parse(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var f = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !f[4].EndsWith('%'))
            {
                continue;
            }

            if (long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var total)
                && long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var used)
                && long.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var available))
            {
                return new DfUsage(f[0], total, used, available, string.Join(' ', f[5..]));
            }
        }

        return null;
    }
}
