using Cerberus.ChatOps.Diagnostics.Kubernetes;

namespace Cerberus.ChatOps.Tests.Kubernetes;

public sealed class LogSignaturesTests
{
    [Theory]
    [InlineData("PANIC:  could not write to file \"pg_wal/xlogtemp.1\": No space left on device", "no_space,write_failed,panic")]
    [InlineData("FATAL:  remaining connection slots are reserved for non-replication superuser connections", "too_many_clients")]
    [InlineData("FATAL:  sorry, too many clients already", "too_many_clients")]
    [InlineData("ERROR:  database is not accepting commands to avoid wraparound data loss in database \"cerberus\"", "xid_wraparound_stop")]
    [InlineData("ERROR:  database is not accepting commands that assign new transaction IDs to avoid wraparound data loss in database \"cerberus\"", "xid_wraparound_stop")]
    [InlineData("WARNING:  database \"cerberus\" must be vacuumed within 39985967 transactions", "xid_wraparound_warning")]
    [InlineData("ERROR:  database is not accepting commands that generate new MultiXactIds to avoid wraparound data loss in database \"cerberus\"", "mxid_wraparound_stop")]
    [InlineData("WARNING:  database \"cerberus\" must be vacuumed before 39985967 more MultiXactIds are used", "mxid_wraparound_warning")]
    [InlineData("WARNING:  database \"cerberus\" must be vacuumed before 1 more MultiXactId is used", "mxid_wraparound_warning")]
    [InlineData("LOG:  archive command failed with exit code 1", "archive_failed")]
    [InlineData("ERROR:  requested WAL segment 000000010000000000000003 has already been removed", "wal_removed")]
    [InlineData("FATAL:  could not receive data from WAL stream: FATAL: terminating", "wal_stream_lost")]
    [InlineData("ERROR:  deadlock detected", "deadlock")]
    [InlineData("ERROR:  out of memory", "oom")]
    [InlineData("LOG:  server process (PID 123) was terminated by signal 9: Killed", "oom")]
    [InlineData("2026-11-26 08:00:01,000 ERROR: Error communicating with DCS", "")]
    [InlineData("2026-11-26 08:00:01,000 INFO: DCS is not accessible", "dcs_unreachable")]
    [InlineData("INFO: My wal position exceeds maximum replication lag", "lag_exceeds_failover")]
    [InlineData("INFO: promoted self to leader by acquiring session lock", "promoted")]
    [InlineData("INFO: Demoting self (immediate-nolock)", "demoted")]
    [InlineData("INFO: running pg_rewind from postgres-primary-0", "rewind")]
    [InlineData("FATAL:  password authentication failed for user \"app\"", "fatal")]
    [InlineData("LOG:  terminating connection due to administrator command", "fatal")]
    [InlineData("LOG:  checkpoint complete: wrote 3 buffers", "")]
    [InlineData("INFO: no action. I am (postgres-replica-0), a secondary, and following a leader", "")]
    public void Match_KnownLine_StableCodes(string line, string expected)
    {
        // arrange / act
        var codes = LogSignatures.Match(line);

        // assert
        Assert.Equal(expected, string.Join(",", codes));
    }

    [Fact]
    public void Scan_LineWithSecrets_RedactsAndKeepsTimestamp()
    {
        // arrange
        const string Log = "2026-11-26T08:51:00.123456789Z FATAL:  could not connect with password=hunter2x via xoxb-99999999-abcdefgh\n"
            + "no-timestamp FATAL:  sorry, too many clients already\n";

        // act
        var matches = LogSignatures.Scan("pg-0/postgres", Log);

        // assert
        Assert.Equal(2, matches.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 8, 51, 0, 123, TimeSpan.Zero).AddTicks(4567), matches[0].Timestamp);
        Assert.DoesNotContain("hunter2x", matches[0].Line, StringComparison.Ordinal);
        Assert.DoesNotContain("xoxb-99999999", matches[0].Line, StringComparison.Ordinal);
        Assert.StartsWith("FATAL:", matches[0].Line, StringComparison.Ordinal);
        Assert.Null(matches[1].Timestamp);
    }
}
