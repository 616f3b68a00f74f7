using Cerberus.ChatOps.Domain.Ports;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.Tests.Support.Slack;

/// <summary>
/// The real host (Program) with in-memory inbox and outbox, the Slack settings given, and the Web API pointed at
/// a dead loopback port unless a fake is given.
/// </summary>
public sealed class SlackAppFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";

    public InMemoryInboxStore Inbox { get; } = new();

    public InMemoryOutboxStore Outbox { get; } = new();

    public static SlackAppFactory WithSecret(string? secret = Secret, int maxBodyBytes = 65536) => new(new Dictionary<string, string?>
    {
        ["Slack:SigningSecret"] = secret,
        ["Slack:MaxBodyBytes"] = maxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Slack:ApiBaseUrl"] = "http://127.0.0.1:9/api/",
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Cerberus:Kubernetes:Enabled", "false");
        if (!settings.ContainsKey("Slack:AllowedTeamIds:0"))
        {
            builder.UseSetting("Slack:AllowedTeamIds:0", SlackRequestSigner.TeamId);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IInboxStore>();
            services.RemoveAll<IOutboxStore>();
            services.AddSingleton<IInboxStore>(Inbox);
            services.AddSingleton<IOutboxStore>(Outbox);
        });
    }
}
