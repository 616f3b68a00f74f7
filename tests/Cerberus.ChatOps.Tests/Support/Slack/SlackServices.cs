using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Slack;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>
/// The production Slack registrations (<see cref="SlackServiceCollectionExtensions.AddSlack"/>) in a plain
/// service provider, with in-memory stores and a log collector; hosted services are not started.
/// </summary>
public sealed class SlackServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public SlackServices(IDictionary<string, string?> settings, TimeProvider? time = null, Action<IServiceCollection>? more = null)
    {
        // The signer's workspace is served unless a test says otherwise (hosted services, auth.test among them, are not started).
        var withWorkspace = new Dictionary<string, string?>(settings);
        withWorkspace.TryAdd("Slack:AllowedTeamIds:0", SlackRequestSigner.TeamId);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(withWorkspace).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton<IInboxStore>(Inbox);
        services.AddSingleton<IOutboxStore>(Outbox);
        services.AddSlack(configuration);
        more?.Invoke(services);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public CollectingLoggerProvider Logs { get; } = new();

    public InMemoryInboxStore Inbox { get; } = new();

    public InMemoryOutboxStore Outbox { get; } = new();

    public IServiceProvider Provider => _provider;

    /// <summary>Settings for a fake Slack at <paramref name="apiBaseUrl"/> with fast retries and pacing.</summary>
    public static Dictionary<string, string?> Fast(FakeSlackServer slack) => new()
    {
        ["Slack:BotToken"] = "xoxb-test-0000-SECRET",
        ["Slack:SigningSecret"] = "signing-SECRET",
        ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl,
        ["Slack:TestAllowedUrlBase"] = slack.BaseUrl.ToString(),
        ["Slack:RetryBaseDelay"] = "00:00:00.010",
        ["Slack:ChatInterval"] = "00:00:00.001",
        ["Slack:OutboxPollInterval"] = "00:00:00.050",
        ["Slack:AttemptTimeout"] = "00:00:05",
    };

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
