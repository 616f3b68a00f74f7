namespace Cerberus.ChatOps.Actions.Postgres;

/// <summary>
/// One <c>ignore_slots</c> entry of Patroni's dynamic configuration. Patroni 3.0.2 (<c>postgresql/slots.py</c>
/// <c>ignore_replication_slot</c>) leaves a slot alone when the entry's name is absent or equal to the slot's, and
/// each of database, plugin and type is absent/empty or equal to the slot's. Patroni knows database and plugin only
/// for logical slots, and pg_replication_slots has them NULL for physical ones, so both sides agree.
/// </summary>
internal sealed record IgnoreSlotsRule(string? Name, string? Type, string? Database, string? Plugin)
{
    public bool Matches(ReplicationSlotInfo slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        return (Name is null || string.Equals(Name, slot.Name, StringComparison.Ordinal))
               && Same(Database, slot.Database) && Same(Plugin, slot.Plugin) && Same(Type, slot.Type);
    }

    /// <summary>As the configuration spells it: {name: x, type: physical}.</summary>
    public override string ToString()
    {
        var keys = new List<string>();
        Add(keys, "name", Name);
        Add(keys, "type", Type);
        Add(keys, "database", Database);
        Add(keys, "plugin", Plugin);
        return "{" + string.Join(", ", keys) + "}";
    }

    private static bool Same(string? rule, string? value) => string.IsNullOrEmpty(rule) || string.Equals(rule, value, StringComparison.Ordinal);

    private static void Add(List<string> keys, string key, string? value)
    {
        if (value is not null)
        {
            keys.Add($"{key}: {value}");
        }
    }
}
