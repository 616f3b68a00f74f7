namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>A table (or materialized view), the age of its relfrozenxid and of its relminmxid (its TOAST table's, when older).</summary>
/// <param name="Oid">pg_class.oid.</param>
/// <param name="Schema">Its schema.</param>
/// <param name="Name">Its name.</param>
/// <param name="Age">greatest(age(relfrozenxid) of the table, of its TOAST table).</param>
/// <param name="Bytes">Heap + TOAST by pg_class.relpages (an estimate; nothing is opened).</param>
/// <param name="Temporary">A temporary table: only the session that owns it can vacuum it.</param>
/// <param name="MultixactAge">greatest(mxid_age(relminmxid) of the table, of its TOAST table).</param>
/// <param name="MayVacuum">The operator role owns the table or the database, or is a superuser (otherwise VACUUM skips it with a warning).</param>
internal sealed record XidTable(long Oid, string Schema, string Name, long Age, long Bytes, bool Temporary, long MultixactAge = 0, bool MayVacuum = true)
{
    public string Text => $"{Schema}.{Name}";

    /// <summary>Over either threshold: the counter VACUUM (FREEZE) must bring back.</summary>
    public bool Over(long xidThreshold, long multixactThreshold) => Age >= xidThreshold || MultixactAge >= multixactThreshold;
}
