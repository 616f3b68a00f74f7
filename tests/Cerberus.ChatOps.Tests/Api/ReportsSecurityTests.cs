using Cerberus.ChatOps.Api;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerberus.ChatOps.Tests.Api;

public sealed class ReportsSecurityTests
{
    [Theory]
    [InlineData("test-reports-token-0123456789abcdef", true)]
    [InlineData("test-reports-token-0123456789abcdeF", false)]
    [InlineData("test-reports-token", false)]
    [InlineData("", false)]
    public void SameToken_Presented_MatchesOnlyTheExactToken(string presented, bool expected)
    {
        // arrange
        const string configured = "test-reports-token-0123456789abcdef";

        // act
        var same = BearerTokenFilter.SameToken(presented, configured);

        // assert
        Assert.Equal(expected, same);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("short", 1)]
    [InlineData("a token with spaces in it, long enough", 1)]
    [InlineData("0123456789abcdef0123456789abcdef", 0)]
    public void Validate_BearerToken_ReportsOneLinePerProblem(string? token, int problems)
    {
        // arrange
        var validator = new ReportsOptionsValidator();

        // act
        var result = validator.Validate(null, new ReportsOptions { BearerToken = token });

        // assert
        Assert.Equal(problems, result.Failed ? result.Failures.Count() : 0);
        Assert.All(result.Failed ? result.Failures : [], f => Assert.StartsWith("Cerberus:Reports:BearerToken:", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Bound_ConnectionString_AddsTimeoutsAndKeepsTheCallersTighterOnes()
    {
        // arrange
        const string connectionString = "Host=db;Username=cerberus_monitor;Timeout=3;Command Timeout=60";

        // act
        var bounded = new Npgsql.NpgsqlConnectionStringBuilder(TableHealthCollector.Bound(connectionString));

        // assert
        Assert.Equal(3, bounded.Timeout);
        Assert.Equal(10, bounded.CommandTimeout);
        Assert.Equal(2000, bounded.CancellationTimeout);
        Assert.False(bounded.Pooling);
        Assert.Equal("-c statement_timeout=8000 -c lock_timeout=2000", bounded.Options);
        Assert.Equal("cerberus-chatops-report", bounded.ApplicationName);
    }

    [Fact]
    public async Task CollectAsync_NoConnectionString_ReturnsTheReasonInsteadOfThrowing()
    {
        // arrange
        var collector = new TableHealthCollector(TimeProvider.System, NullLogger<TableHealthCollector>.Instance);

        // act
        var health = await collector.CollectAsync(" ", CancellationToken.None);

        // assert
        Assert.Empty(health.Rows);
        Assert.Equal("no database is configured (Cerberus:Postgres:ConnectionString).", health.Problem);
    }
}
