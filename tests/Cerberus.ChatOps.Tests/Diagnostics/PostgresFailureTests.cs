using System.Net.Sockets;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Npgsql;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class PostgresFailureTests
{
    public static TheoryData<Exception, string> Cases() => new()
    {
        { new PostgresException("password authentication failed for user \"bot\"", "FATAL", "FATAL", "28P01"), PostgresFailure.Auth },
        { new PostgresException("no pg_hba.conf entry", "FATAL", "FATAL", "28000"), PostgresFailure.Auth },
        { new PostgresException("sorry, too many clients already", "FATAL", "FATAL", "53300"), PostgresFailure.TooManyClients },
        { new PostgresException("canceling statement due to statement timeout", "ERROR", "ERROR", "57014"), PostgresFailure.TimedOut },
        { new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"), PostgresFailure.Starting },
        { new PostgresException("the database system is in recovery mode", "FATAL", "FATAL", "57P03"), PostgresFailure.Starting },
        { new PostgresException("server closed the connection", "FATAL", "FATAL", "08006"), PostgresFailure.Starting },
        { new NpgsqlException("Exception while reading from stream", new EndOfStreamException()), PostgresFailure.Starting },
        { new NpgsqlException("Exception while reading from stream", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), PostgresFailure.Starting },
        { new NpgsqlException("Exception while reading from stream", new IOException("timed out", new TimeoutException())), PostgresFailure.TimedOut },
        { new PostgresException("too many connections for role \"cerberus_monitor\"", "FATAL", "FATAL", "53300"), PostgresFailure.RoleLimit },
        { new PostgresException("remaining connection slots are reserved for non-replication superuser connections", "FATAL", "FATAL", "53300"), PostgresFailure.TooManyClients },
        { new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)), PostgresFailure.Refused },
        { new NpgsqlException("The operation has timed out", new TimeoutException()), PostgresFailure.TimedOut },
        { new NpgsqlException("Failed to connect", new SocketException((int)SocketError.HostNotFound)), PostgresFailure.Error },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void From_KnownFailure_MapsToConnectivityOutcome(Exception exception, string expected)
    {
        // arrange
        var budget = TimeSpan.FromSeconds(8);

        // act
        var failure = PostgresFailure.From(exception, budgetExpired: false, budget);

        // assert
        Assert.Equal(expected, failure.Outcome);
    }

    [Fact]
    public void From_CancelledByTheBudget_TimeoutNamingTheBudget()
    {
        // arrange
        var exception = new OperationCanceledException();

        // act
        var failure = PostgresFailure.From(exception, budgetExpired: true, TimeSpan.FromSeconds(8));

        // assert
        Assert.Equal(PostgresFailure.TimedOut, failure.Outcome);
        Assert.Equal("did not finish within the probe's 8 s budget", failure.Description);
    }

    [Fact]
    public void From_UnknownExceptionWithSecret_ErrorRedacted()
    {
        // arrange
        var exception = new InvalidOperationException("bad Host=db;Password=hunter2");

        // act
        var failure = PostgresFailure.From(exception, budgetExpired: false, TimeSpan.FromSeconds(8));

        // assert
        Assert.Equal(PostgresFailure.Error, failure.Outcome);
        Assert.DoesNotContain("hunter2", failure.Description, StringComparison.Ordinal);
    }
}
