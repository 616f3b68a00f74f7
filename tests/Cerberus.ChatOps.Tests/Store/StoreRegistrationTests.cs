using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Store;
using Cerberus.ChatOps.Store.Postgres;
using Cerberus.ChatOps.Store.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Store;

public sealed class StoreRegistrationTests
{
    private const string UnreachablePostgres = "Host=127.0.0.1;Port=1;Username=cerberus;Password=s3cret-Pa55;Timeout=3";

    [Fact]
    public void AddCerberusStore_NoConfiguration_OneSqliteInstanceServesAllFourPorts()
    {
        // arrange
        using var provider = Build(new Dictionary<string, string?>());

        // act
        var incidents = provider.GetRequiredService<IIncidentStore>();
        var outbox = provider.GetRequiredService<IOutboxStore>();
        var inbox = provider.GetRequiredService<IInboxStore>();
        var leases = provider.GetRequiredService<ILeaseStore>();

        // assert
        Assert.IsType<SqliteIncidentStore>(incidents);
        Assert.Same(incidents, outbox);
        Assert.Same(incidents, inbox);
        Assert.Same(incidents, leases);
        Assert.Equal("Data Source=cerberus.db", provider.GetRequiredService<IOptions<StoreOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void AddCerberusStore_PostgresProvider_OnePostgresInstanceServesAllFourPorts()
    {
        // arrange
        using var provider = Build(Postgres());

        // act
        var incidents = provider.GetRequiredService<IIncidentStore>();
        var leases = provider.GetRequiredService<ILeaseStore>();

        // assert
        Assert.IsType<PostgresIncidentStore>(incidents);
        Assert.Same(incidents, leases);
    }

    [Fact]
    public void AddCerberusStore_Always_RegistersTheInitializerAndAReadyHealthCheck()
    {
        // arrange
        using var provider = Build(new Dictionary<string, string?>());

        // act
        var hosted = provider.GetServices<IHostedService>().ToList();
        var checks = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        // assert
        Assert.Contains(hosted, h => h is StoreInitializer and IHostedLifecycleService);
        var store = Assert.Single(checks, c => c.Name == StoreServiceCollectionExtensions.HealthCheckName);
        Assert.Contains(HealthEndpoints.ReadyTag, store.Tags);
    }

    [Fact]
    public async Task CheckHealthAsync_UnreachablePostgres_UnhealthyNamingTheProviderNotTheConnectionString()
    {
        // arrange
        using var provider = Build(Postgres());
        var check = new StoreHealthCheck(provider.GetRequiredService<ICerberusStore>());

        // act
        var result = await check.CheckHealthAsync(new HealthCheckContext(), CancellationToken.None);

        // assert
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("PostgreSQL", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartingAsync_UnreachablePostgres_FailsNamingTheProviderAndLogsNoSecret()
    {
        // arrange
        var logs = new RecordingLoggerProvider();
        using var provider = Build(Postgres(), logs);
        var initializer = provider.GetServices<IHostedService>().OfType<StoreInitializer>().Single();

        // act
        var error = await Record.ExceptionAsync(() => initializer.StartingAsync(CancellationToken.None));

        // assert
        var failure = Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("PostgreSQL store could not be initialised", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains(logs.Messages, m => m.Contains("PostgreSQL store could not be initialised", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("s3cret-Pa55", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Sqlite", "Data Source=:memory:", "not an in-memory database")]
    [InlineData("Postgres", "Hots=db;Password=s3cret-Pa55", "is not a valid Postgres connection string")]
    [InlineData("Sqlite", "", "is required")]
    public void Validate_BadStoreOptions_OneProblemNamingTheKeyWithoutTheValue(string providerName, string connectionString, string expected)
    {
        // arrange
        var validator = new StoreOptionsValidator();
        var options = new StoreOptions { Provider = Enum.Parse<StoreProvider>(providerName), ConnectionString = connectionString };

        // act
        var result = validator.Validate(null, options);

        // assert
        var problem = Assert.Single(result.Failures!);
        Assert.Contains("Cerberus:Store:ConnectionString", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", problem, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Postgres() => new()
    {
        ["Cerberus:Store:Provider"] = "Postgres",
        ["Cerberus:Store:ConnectionString"] = UnreachablePostgres,
    };

    private static ServiceProvider Build(Dictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(b =>
        {
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddCerberusStore();
        return services.BuildServiceProvider();
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new RecordingLogger(this);

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(RecordingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Messages)
                {
                    owner.Messages.Add(formatter(state, exception) + " " + exception);
                }
            }
        }
    }
}
