using System.Globalization;

namespace Cerberus.ChatOps.Hosting.Configuration;

/// <summary>
/// Checks shared by every options validator. Each problem is one line that names the configuration key, as an
/// operator types it (<c>Cerberus:Patroni:Urls:0</c>, or <c>Cerberus__Patroni__Urls__0</c> in the environment).
/// </summary>
internal static class ConfigurationRules
{
    public static void AbsoluteHttpUrl(ICollection<string> problems, string key, string? value, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                problems.Add($"{key}: is required (an absolute http:// or https:// URL).");
            }

            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{key}: '{Shorten(value)}' is not an absolute http:// or https:// URL.");
        }
    }

    public static void Positive(ICollection<string> problems, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{key}: '{value}' must be a positive duration (hh:mm:ss).");
        }
    }

    public static void AtLeast(ICollection<string> problems, string key, TimeSpan value, TimeSpan minimum)
    {
        if (value < minimum)
        {
            problems.Add($"{key}: '{value}' must be at least {minimum}.");
        }
    }

    public static void InRange(ICollection<string> problems, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            problems.Add($"{key}: {value} must be between {min} and {max}.");
        }
    }

    public static void InRange(ICollection<string> problems, string key, double value, double min, double max)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: {value} must be between {min} and {max}."));
        }
    }

    /// <summary>Shows at most 60 characters of a bad value; a bad value may be a pasted secret.</summary>
    private static string Shorten(string value) => value.Length <= 60 ? value : value[..57] + "...";
}
