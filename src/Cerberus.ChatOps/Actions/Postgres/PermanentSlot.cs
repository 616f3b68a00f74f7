namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// One permanent slot of Patroni's dynamic configuration, as Patroni 3.0.2 reads it (<c>dcs/__init__.py</c>
/// <c>get_replication_slots</c>): a null or empty value is physical; a mapping without <c>type</c> is logical when it
/// names both a database and a plugin, physical otherwise.
/// </summary>
/// <param name="Name">The slot name (the key under <see cref="Key"/>).</param>
/// <param name="Key">The configuration key that holds it: <c>slots</c>, <c>permanent_slots</c> or <c>permanent_replication_slots</c>.</param>
/// <param name="Type">physical or logical.</param>
/// <param name="Database">The database of a logical slot.</param>
/// <param name="Plugin">The output plugin of a logical slot.</param>
/// <param name="DeclaredNull">
/// The value is JSON null. <c>patch_config</c> (<c>utils.py</c>) deletes a key only when the popped value is not
/// None, so a null entry cannot be removed by a null patch alone: it is first replaced by <c>{"type":"physical"}</c>
/// (what Patroni reads it as anyway).
/// </param>
internal sealed record PermanentSlot(string Name, string Key, string Type, string? Database, string? Plugin, bool DeclaredNull)
{
    public override string ToString() =>
        $"{Key}: {{{Name}: {(DeclaredNull ? "null" : Type == "logical" ? $"{{type: logical, database: {Database}, plugin: {Plugin}}}" : "{type: physical}")}}}";
}
