using Cerberus.ChatOps.Diagnostics.Postgres;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class PostgresOptionsValidatorTests
{
    private static IReadOnlyList<string> Validate(PostgresOptions options) =>
        new PostgresOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        // arrange
        var options = new PostgresOptions();

        // act
        var problems = Validate(options);

        // assert
        Assert.Empty(problems);
    }

    [Fact]
    public void Validate_NegativeTimeouts_OneLinePerKey()
    {
        // arrange
        var options = new PostgresOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(-5),
            CommandTimeout = TimeSpan.FromSeconds(-1),
            ProbeTimeout = TimeSpan.FromSeconds(-8),
            StatementTimeout = TimeSpan.FromSeconds(-1),
        };

        // act
        var problems = Validate(options);

        // assert
        Assert.Equal(4, problems.Count);
        Assert.StartsWith("Cerberus:Postgres:ConnectTimeout: ", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Cerberus:Postgres:CommandTimeout: ", problems[1], StringComparison.Ordinal);
        Assert.StartsWith("Cerberus:Postgres:ProbeTimeout: ", problems[2], StringComparison.Ordinal);
        Assert.StartsWith("Cerberus:Postgres:StatementTimeout: ", problems[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ProbeTimeoutNotAboveConnectTimeout_NamesBothKeys()
    {
        // arrange
        var options = new PostgresOptions { ConnectTimeout = TimeSpan.FromSeconds(5), ProbeTimeout = TimeSpan.FromSeconds(5) };

        // act
        var problems = Validate(options);

        // assert
        var problem = Assert.Single(problems);
        Assert.Contains("Cerberus:Postgres:ProbeTimeout", problem, StringComparison.Ordinal);
        Assert.Contains("Cerberus:Postgres:ConnectTimeout", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MalformedConnectionString_NamesKeyWithoutEchoingTheSecret()
    {
        // arrange
        var options = new PostgresOptions { ConnectionString = "Host=db;Password=hunter2;Frobnicate=yes" };

        // act
        var problems = Validate(options);

        // assert
        var problem = Assert.Single(problems);
        Assert.StartsWith("Cerberus:Postgres:ConnectionString: ", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SaturationThresholdsOutOfOrder_Fails()
    {
        // arrange
        var options = new PostgresOptions { SaturationWarnPercent = 96, SaturationCritPercent = 90 };

        // act
        var problems = Validate(options);

        // assert
        Assert.Contains(problems, p => p.StartsWith("Cerberus:Postgres:SaturationWarnPercent", StringComparison.Ordinal));
    }
}
