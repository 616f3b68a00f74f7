using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Slack.Api;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// With no Slack credentials (no <c>Slack:SigningSecret</c>, no <c>Slack:AppToken</c>), and not in a cluster unless
/// <c>Cerberus:Console:Enabled=true</c>: the local console, served by <see cref="ConsoleServer"/> on its own 127.0.0.1
/// listener with a per-start access token. Slack's
/// options get the in-memory signing secret, the placeholder bot token and the local API base, the SSRF guard's one
/// extra base becomes <see cref="LocalConsole.LocalBase"/>, and the Slack client's transport is the in-process
/// <see cref="LocalSlack"/>; the console's own workspace and app (<c>T0LOCAL</c>, <c>A0LOCAL</c>) are the ones served.
/// With Slack configured nothing is registered and <c>/console</c> does not exist.
/// </summary>
internal static class ConsoleServiceCollectionExtensions
{
    public static IServiceCollection AddLocalConsole(this IServiceCollection services, IConfiguration configuration)
    {
        if (!LocalConsole.IsWanted(configuration))
        {
            if (LocalConsole.IsSlackUnconfigured(configuration) && ConsoleOptions.From(configuration).Enabled is null
                && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LocalConsole.KubernetesVariable)))
            {
                services.AddHostedService<ConsoleOffNotice>();
            }

            return services;
        }

        var console = new LocalConsole(ConsoleOptions.From(configuration).Port);
        services.AddSingleton(console);
        services.AddSingleton<LocalSlack>();
        services.AddSingleton<ConsoleInbound>();
        services.AddSingleton<ConsoleServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleServer>());
        services.PostConfigure<SlackOptions>(o =>
        {
            o.SigningSecret = console.SigningSecret;
            o.BotToken = LocalConsole.LocalBotToken;
            o.ApiBaseUrl = LocalConsole.ApiBase;
            o.TestAllowedUrlBase = LocalConsole.LocalBase;
            o.ChatInterval = TimeSpan.FromMilliseconds(20);

            // The console's own workspace and app, served before (and whatever) auth.test answers.
            o.AllowedTeamIds = [LocalConsole.TeamId];
            o.AllowedEnterpriseIds = [];
            o.AppId = LocalConsole.AppId;
        });
        services.AddHttpClient<ISlackApi, SlackApiClient>()
            .ConfigurePrimaryHttpMessageHandler(sp => new LocalSlackHandler(sp.GetRequiredService<LocalSlack>()));
        return services;
    }
}
