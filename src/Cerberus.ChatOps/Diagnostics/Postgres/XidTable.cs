namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>A table (or materialized view) and the age of its relfrozenxid (its TOAST table's, when older).</summary>
/// <param name="Oid">pg_class.oid.</param>
/// <param name="Schema">Its schema.</param>
/// <param name="Name">Its name.</param>
/// <param name="Age">greatest(age(relfrozenxid) of the table, of its TOAST table).</param>
/// <param name="Bytes">Heap + TOAST by pg_class.relpages (an estimate; nothing is opened).</param>
/// <param name="Temporary">A temporary table: only the session that owns it can vacuum it.</param>
internal sealed record XidTable(long Oid, string Schema, string Name, long Age, long Bytes, bool Temporary)
{
    public string Text => $"{Schema}.{Name}";
}
