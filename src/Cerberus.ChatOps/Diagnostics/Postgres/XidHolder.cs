namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>Something that holds the xmin horizon back: no VACUUM freezes a row newer than it.</summary>
/// <param name="Kind">"session", "prepared" or "slot".</param>
/// <param name="Name">The session's pid, the prepared transaction's gid, or the slot's name.</param>
/// <param name="Age">How many transactions back it holds the horizon.</param>
/// <param name="Text">What it is, in words (no credentials).</param>
/// <param name="Active">A session, or an active slot; false for a prepared transaction and an inactive slot.</param>
internal sealed record XidHolder(string Kind, string Name, long Age, string Text, bool Active);
