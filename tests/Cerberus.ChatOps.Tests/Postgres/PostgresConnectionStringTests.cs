using Cerberus.ChatOps.Postgres;
using Npgsql;

namespace Cerberus.ChatOps.Tests.Postgres;

public sealed class PostgresConnectionStringTests
{
    private static readonly PostgresSession Session = new("cerberus-test", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5));

    [Fact]
    public void Build_ConfiguredTarget_KeepsCredentialsAndSetsTheBotsBounds()
    {
        // arrange
        const string configured = "Host=db.internal;Port=5433;Username=bot;Password=s3cret;Database=app;Timeout=60;Pooling=true;Keepalive=0;Application Name=psql";

        // act
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Build(configured, Session, "Test:ConnectionString"));

        // assert
        Assert.Equal(("db.internal", 5433, "app", "bot", "s3cret"), (built.Host, built.Port, built.Database, built.Username, built.Password));
        Assert.Equal(5, built.Timeout);
        Assert.Equal(30, built.CommandTimeout);
        Assert.Equal(2000, built.CancellationTimeout);
        Assert.Equal(10, built.KeepAlive);
        Assert.False(built.Pooling);
        Assert.Equal("cerberus-test", built.ApplicationName);
        Assert.Equal("-c statement_timeout=60000 -c lock_timeout=5000", built.Options);
    }

    [Fact]
    public void Build_Member_OneHostItsPortAnotherDatabaseAndNoSessionAttributes()
    {
        // arrange
        const string configured = "Host=pg1,pg2;Username=bot;Database=app;Target Session Attributes=primary";
        var member = Session with { Host = "10.0.0.2", Database = "postgres" };

        // act
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Build(configured, member, "Test:ConnectionString"));

        // assert
        Assert.Equal(("10.0.0.2", 5432, "postgres"), (built.Host, built.Port, built.Database));
        Assert.Null(built.TargetSessionAttributes);
    }

    [Fact]
    public void Build_StringWithItsOwnOptions_KeepsThemAndAddsTheTimeoutsAfter()
    {
        // arrange
        const string configured = "Host=db;Options=-c search_path=audit";

        // act
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Build(configured, Session, "Test:ConnectionString"));

        // assert
        Assert.Equal("-c search_path=audit -c statement_timeout=60000 -c lock_timeout=5000", built.Options);
    }

    [Fact]
    public void Build_FractionalTimeouts_RoundedUpToWholeSecondsConnectAtLeastOne()
    {
        // arrange
        var session = Session with { ConnectTimeout = TimeSpan.FromMilliseconds(300), CommandTimeout = TimeSpan.FromSeconds(2.5) };

        // act
        var built = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Build("Host=db", session, "Test:ConnectionString"));

        // assert
        Assert.Equal(1, built.Timeout);
        Assert.Equal(3, built.CommandTimeout);
    }

    [Fact]
    public void Build_MalformedStringWithAPassword_NamesTheSettingWithoutQuotingTheString()
    {
        // arrange: an unquoted ';' in the password makes its tail look like a keyword to the parser
        const string configured = "Host=db;Password=hunter2;tail-of-it=x";

        // act
        var ex = Assert.Throws<ArgumentException>(() => PostgresConnectionString.Build(configured, Session, "Test:ConnectionString"));

        // assert
        Assert.StartsWith("Test:ConnectionString is not a valid connection string", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tail-of-it", ex.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(ex.InnerException);
    }
}
