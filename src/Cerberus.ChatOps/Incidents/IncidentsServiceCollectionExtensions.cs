using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Hosting.Configuration;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack.Inbound;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.Incidents;

internal static class IncidentsServiceCollectionExtensions
{
    public static IServiceCollection AddIncidents(this IServiceCollection services)
    {
        services.AddValidatedOptions<IncidentOptions, IncidentOptionsValidator>(IncidentOptions.Section);
        services.TryAddSingleton<InboundSignal>();
        services.TryAddSingleton<ProcessLease>();
        services.TryAddSingleton<QueueMetrics>();
        services.AddSingleton<BackgroundWork>();
        services.AddSingleton(sp => new ApproverRoster(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<IncidentOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ApproverRoster>>(),
            sp.GetService<Slack.Api.ISlackApi>(),
            sp.GetService<ConsoleMode.LocalConsole>()));
        services.AddSingleton<UserRateLimiter>();
        services.AddSingleton<ExecutionLease>();
        services.AddSingleton<IncidentMutator>();
        services.AddSingleton(sp => new IncidentChannelOpener(
            sp.GetService<Slack.Api.ISlackApi>(),
            sp.GetRequiredService<IncidentMutator>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<IncidentOptions>>(),
            sp.GetRequiredService<ILogger<IncidentChannelOpener>>()));
        services.AddSingleton<Slack.Outbound.IIncidentChannelRecorder>(sp => sp.GetRequiredService<IncidentChannelOpener>());
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<IncidentBackends>(sp, new PerRunDiagnostics(sp.GetRequiredService<IServiceScopeFactory>())));
        services.AddSingleton<DiagnosticsRuns>();
        services.AddSingleton<ReportWriter>();
        services.AddSingleton<IncidentCommands>();
        services.AddSingleton<ActionProposer>();
        services.AddSingleton<ActionVerification>();
        services.AddSingleton<ActionExecution>();
        services.AddSingleton<ActionApprovals>();
        services.AddSingleton<IncidentResumption>();
        services.AddSingleton<LeaderWatcher>();
        services.AddSingleton<IncidentEngine>();
        services.AddSingleton<AlertIntake>();
        services.AddValidatedOptions<Drill.Live.LiveDrillOptions, Drill.Live.LiveDrillOptionsValidator>(Drill.Live.LiveDrillOptions.Section);
        services.AddSingleton<Drill.Live.LiveDrills>();
        services.AddSingleton<InboundDispatcher>();
        services.AddHostedService<IncidentWorker>();
        services.AddHostedService<IncidentTimers>();
        return services;
    }
}
