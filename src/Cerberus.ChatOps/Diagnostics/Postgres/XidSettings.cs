namespace Cerberus.ChatOps.Diagnostics.Postgres;

/// <summary>The server's freeze settings and the session's database, read with the wraparound figures.</summary>
/// <param name="FreezeMaxAge">autovacuum_freeze_max_age: past it autovacuum forces anti-wraparound vacuums.</param>
/// <param name="FailsafeAge">vacuum_failsafe_age: past it VACUUM skips index cleanup to finish sooner.</param>
/// <param name="Database">current_database().</param>
/// <param name="InRecovery">pg_is_in_recovery().</param>
/// <param name="MultixactFreezeMaxAge">autovacuum_multixact_freeze_max_age: the same, for MultiXactIds (mxid_age(datminmxid)).</param>
/// <param name="MultixactFailsafeAge">vacuum_multixact_failsafe_age.</param>
internal sealed record XidSettings(long FreezeMaxAge, long FailsafeAge, string Database, bool InRecovery, long MultixactFreezeMaxAge, long MultixactFailsafeAge);
