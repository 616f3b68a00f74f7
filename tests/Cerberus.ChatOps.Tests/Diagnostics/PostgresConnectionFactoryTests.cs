using Cerberus.ChatOps.Diagnostics.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class PostgresConnectionFactoryTests
{
    [Fact]
    public void Create_AnyConfiguredString_OverridesTimeoutsPoolingAndSessionSettings()
    {
        // arrange
        var sut = new PostgresConnectionFactory(Options.Create(new PostgresOptions
        {
            ConnectionString = "Host=db.internal;Port=5433;Username=bot;Password=s3cret;Database=cerberus;Timeout=60;Pooling=true;Command Timeout=300",
        }));

        // act
        using var connection = sut.Create();
        var built = new NpgsqlConnectionStringBuilder(connection.ConnectionString);

        // assert
        Assert.Equal(5, built.Timeout);
        Assert.Equal(10, built.CommandTimeout);
        Assert.Equal(2000, built.CancellationTimeout);
        Assert.Equal(10, built.KeepAlive);
        Assert.False(built.Pooling);
        Assert.Equal("cerberus-chatops", built.ApplicationName);
        Assert.Equal("-c statement_timeout=8000 -c lock_timeout=2000", built.Options);
        Assert.Equal("db.internal:5433", sut.Target);
    }

    [Fact]
    public void Target_MalformedString_GenericNameWithoutSecret()
    {
        // arrange
        var sut = new PostgresConnectionFactory(Options.Create(new PostgresOptions { ConnectionString = "Password=hunter2;Nonsense=1" }));

        // act
        var target = sut.Target;

        // assert
        Assert.Equal("the configured database", target);
    }
}
