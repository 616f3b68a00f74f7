namespace Cerberus.ChatOps.Incidents;

/// <summary><c>Cerberus:IncidentChannels</c>: give every incident its own channel, as the larger incident tools do.</summary>
internal sealed class IncidentChannelsOptions
{
    /// <summary>Off by default: the incident lives in a thread of the channel where it was declared.</summary>
    public bool Enabled { get; set; }

    /// <summary>Channel names are <c>{Prefix}-{incident id}-{summary words}</c>, lower case, at most 80 characters.</summary>
    public string Prefix { get; set; } = "inc";

    /// <summary>
    /// Create private channels (needs groups:write; groups:read to find one again after a lost answer) instead of
    /// public ones (channels:manage; channels:read).
    /// </summary>
    public bool Private { get; set; }
}
