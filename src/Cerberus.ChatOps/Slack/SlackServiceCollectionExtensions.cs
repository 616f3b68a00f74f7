using Cerberus.ChatOps.Hosting.Configuration;
using Cerberus.ChatOps.Slack.Api;
using Cerberus.ChatOps.Slack.Http;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Slack.Outbound;
using Cerberus.ChatOps.Slack.SocketMode;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack;

/// <summary>Everything Slack, registered in one place (the routes are in <see cref="SlackEndpoints"/>).</summary>
internal static class SlackServiceCollectionExtensions
{
    public static IServiceCollection AddSlack(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<SlackOptions, SlackOptionsValidator>(SlackOptions.Section);
        services.TryAddSingletonTimeProvider();

        // Inbound: both transports share the pipeline; the inbox store is the other branch's port.
        services.AddSingleton<InboundSignal>();
        services.AddSingleton<SlackWorkspaceGate>();
        services.AddScoped<SlackInboundPipeline>();
        services.AddScoped<SlackHttpInbound>();
        services.AddSingleton<SlackEndpointGuard>();
        services.AddHostedService<SlackInboxPruner>();
        services.AddHostedService<SocketModeService>();

        // Web API.
        services.AddSingleton<SlackChannelPacer>();
        services.AddSingleton<SlackMethodGate>();
        services.AddHttpClient<ISlackApi, SlackApiClient>((sp, http) =>
            {
                var baseUrl = sp.GetRequiredService<IOptionsMonitor<SlackOptions>>().CurrentValue.ApiBaseUrl;
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");

                // The resilience pipeline owns the timeouts.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllLoggers()
            .AddResilienceHandler("slack", (builder, context) => SlackResilience.Configure(builder, context.ServiceProvider));
        services.AddHostedService<SlackAuthCheck>();

        // Outbox.
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SlackOutboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackOutboxWorker>());
        return services;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
