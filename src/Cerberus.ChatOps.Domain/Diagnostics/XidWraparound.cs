using System.Globalization;

namespace Cerberus.ChatOps.Domain.Diagnostics;

/// <summary>
/// PostgreSQL 15's transaction-ID limits as ages (<c>age(datfrozenxid)</c>), exactly as <c>varsup.c</c>
/// <c>SetTransactionIdLimit</c> computes them from the oldest datfrozenxid: the wrap limit is
/// <c>oldest + (MaxTransactionId &gt;&gt; 1)</c>, the stop limit 3,000,000 before it (no more XIDs outside
/// single-user mode: "database is not accepting commands to avoid wraparound data loss"), the warn limit
/// 40,000,000 before it ("must be vacuumed within N transactions" on every XID assignment). MultiXactIds have the
/// same limits as ages of <c>mxid_age(datminmxid)</c> (<c>multixact.c</c> <c>SetMultiXactIdLimit</c>, PostgreSQL 14+):
/// at the stop limit "not accepting commands that generate new MultiXactIds", from the warn limit "must be vacuumed
/// before N more MultiXactIds are used".
/// </summary>
public static class XidWraparound
{
    /// <summary>MaxTransactionId &gt;&gt; 1: the age at which XIDs wrap (data loss).</summary>
    public const long WrapAge = 0x7FFFFFFF;

    /// <summary>The age from which PostgreSQL 15 refuses every command that assigns a new XID.</summary>
    public const long StopAge = WrapAge - 3_000_000;

    /// <summary>The age from which PostgreSQL 15 logs "must be vacuumed within N transactions".</summary>
    public const long WarnAge = WrapAge - 40_000_000;

    /// <summary>Where an age stands: "ok", "over_threshold", "failsafe" (VACUUM's own emergency), "warn_limit", "stop_limit".</summary>
    public static string Stage(long age, long threshold, long failsafeAge) => age switch
    {
        >= StopAge => "stop_limit",
        >= WarnAge => "warn_limit",
        _ when failsafeAge > 0 && age >= failsafeAge => "failsafe",
        _ when age >= threshold => "over_threshold",
        _ => "ok",
    };

    /// <summary>The worse of two stages (XID and MultiXactId).</summary>
    public static string Worse(string a, string b) => Rank(a) >= Rank(b) ? a : b;

    /// <summary>Transactions left before the stop limit (negative once past it).</summary>
    public static long LeftBeforeStop(long age) => StopAge - age;

    private static int Rank(string stage) => stage switch
    {
        "stop_limit" => 4,
        "warn_limit" => 3,
        "failsafe" => 2,
        "over_threshold" => 1,
        _ => 0,
    };

    /// <summary>An XID count with thousands separators: 2,144,483,647.</summary>
    public static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);
}
