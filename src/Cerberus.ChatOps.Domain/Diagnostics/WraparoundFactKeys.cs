namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>Facts of the <see cref="ProbeNames.Wraparound"/> probe that the classifier reads (invariant-culture text).</summary>
public static class WraparoundFactKeys
{
    /// <summary>The largest age(datfrozenxid) of the cluster's databases.</summary>
    public const string MaxAge = "xid_max_age";

    /// <summary>The database with that age.</summary>
    public const string OldestDatabase = "xid_oldest_database";

    /// <summary>The database the probe is connected to (the tables it lists are in it).</summary>
    public const string Database = "xid_database";

    /// <summary>The age above which the probe and the classifier act (autovacuum_freeze_max_age, or the configured one).</summary>
    public const string Threshold = "xid_threshold";

    /// <summary>The worse of <see cref="XidWraparound.Stage"/> of <see cref="MaxAge"/> and of <see cref="MultixactMaxAge"/>.</summary>
    public const string Stage = "xid_stage";

    /// <summary>The largest mxid_age(datminmxid) of the cluster's databases.</summary>
    public const string MultixactMaxAge = "mxid_max_age";

    /// <summary>The database with that MultiXactId age.</summary>
    public const string MultixactOldestDatabase = "mxid_oldest_database";

    /// <summary>autovacuum_multixact_freeze_max_age.</summary>
    public const string MultixactThreshold = "mxid_threshold";

    /// <summary><see cref="XidWraparound.Stage"/> of <see cref="MultixactMaxAge"/> alone.</summary>
    public const string MultixactStage = "mxid_stage";

    /// <summary>
    /// The oldest tables of <see cref="Database"/> over either threshold, "schema.table:xid_age:mxid_age" each
    /// (FactList).
    /// </summary>
    public const string OldTables = "xid_old_tables";

    /// <summary>How many sessions, prepared transactions and slots hold the xmin horizon at least as old as the threshold.</summary>
    public const string Holders = "xid_holders";

    /// <summary>The oldest of them, described in words (no list: one holder).</summary>
    public const string Holder = "xid_holder";

    /// <summary>The oldest holder's kind: "session", "prepared" or "slot".</summary>
    public const string HolderKind = "xid_holder_kind";

    /// <summary>The oldest holder: a pid, a prepared transaction's gid, or a slot name.</summary>
    public const string HolderName = "xid_holder_name";

    /// <summary>"true" when the oldest holder is a replication slot that is not active.</summary>
    public const string HolderSlotInactive = "xid_holder_slot_inactive";

    /// <summary>How many replication slots are inactive (the slot drop picks the one retaining most WAL among them).</summary>
    public const string InactiveSlots = "xid_inactive_slots";
}
