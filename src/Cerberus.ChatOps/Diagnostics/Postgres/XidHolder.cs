namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>Something that holds the xmin horizon back: no VACUUM freezes a row newer than it.</summary>
/// <param name="Kind">"session", "prepared" or "slot".</param>
/// <param name="Name">The session's pid, the prepared transaction's gid, or the slot's name.</param>
/// <param name="Age">How many transactions back it holds the horizon.</param>
/// <param name="Text">What it is, in words (no credentials).</param>
/// <param name="Active">A session, or an active slot; false for a prepared transaction and an inactive slot.</param>
/// <param name="UserTableAge">
/// How far back it holds the horizon for user tables: the same as <paramref name="Age"/>, except for a slot, whose
/// catalog_xmin holds back only the system catalogs (a logical slot's xmin is NULL: 0 here).
/// </param>
internal sealed record XidHolder(string Kind, string Name, long Age, string Text, bool Active, long UserTableAge)
{
    /// <summary>How far back it holds the horizon for <paramref name="table"/> (a pg_catalog table or a user table).</summary>
    public long AgeFor(XidTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.Schema == "pg_catalog" ? Age : UserTableAge;
    }
}
