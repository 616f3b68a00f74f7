using System.Globalization;
using k8s.Models;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>Sizes of a volume expansion: a Kubernetes quantity as the operator typed it, or the computed default.</summary>
internal static class VolumeSize
{
    public const long GiB = 1L << 30;

    /// <summary>The default growth: 1.5 × the current size, rounded up to a whole GiB, and at least 1 GiB more.</summary>
    public const double DefaultFactor = 1.5;

    /// <summary>
    /// Parses a quantity such as <c>30Gi</c> or <c>500G</c> into its canonical text and bytes; a whole, positive number
    /// of bytes only. Null with the reason otherwise.
    /// </summary>
    public static (string? Canonical, long Bytes, string? Problem) Parse(string text)
    {
        var trimmed = (text ?? string.Empty).Trim();
        var hint = $"`{trimmed}` is not a size: use a Kubernetes quantity such as 30Gi, 500G or 1Ti";
        if (trimmed.Length == 0 || trimmed.Length > 32 || !char.IsAsciiDigit(trimmed[0]))
        {
            return (null, 0, hint);
        }

        ResourceQuantity quantity;
        decimal value;
        try
        {
            quantity = new ResourceQuantity(trimmed);
            value = quantity.ToDecimal();
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            return (null, 0, hint);
        }

        if (value <= 0 || value != decimal.Truncate(value) || value > long.MaxValue)
        {
            return (null, 0, $"`{trimmed}` is not a whole, positive number of bytes");
        }

        return (quantity.CanonicalizeString(), (long)value, null);
    }

    /// <summary>The size proposed when none is given: 1.5 × <paramref name="currentBytes"/>, rounded up to a whole GiB, at least 1 GiB more.</summary>
    public static long Default(long currentBytes)
    {
        var grown = Math.Max((long)Math.Ceiling(currentBytes * DefaultFactor), currentBytes + GiB);
        return (grown + GiB - 1) / GiB * GiB;
    }

    /// <summary>Whole GiB as the quantity the PATCH sends (<c>30Gi</c>).</summary>
    public static string GiBQuantity(long bytes) => (bytes / GiB).ToString(CultureInfo.InvariantCulture) + "Gi";
}
