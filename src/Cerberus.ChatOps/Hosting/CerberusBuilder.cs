using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Alerts;
using Cerberus.ChatOps.Api;
using Cerberus.ChatOps.ConsoleMode;
using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Diagnostics.Http;
using Cerberus.ChatOps.Hosting.Logging;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Paging;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Slack;
using Cerberus.ChatOps.Store;
using Serilog;

namespace Cerberus.ChatOps.Hosting;

/// <summary>The table of contents of the host: what is registered, and what is mapped.</summary>
internal static class CerberusBuilder
{
    public static WebApplicationBuilder AddCerberus(this WebApplicationBuilder builder)
    {
        builder.Services.AddCerberusSerilog(builder.Configuration);
        builder.Services.AddHostedService<StartupReport>();
        builder.Services.AddCerberusServices(builder.Configuration);
        builder.Services.AddLocalConsole(builder.Configuration);
        return builder;
    }

    /// <summary>The services without logging and the web parts: shared by the web host and the break-glass CLI.</summary>
    public static IServiceCollection AddCerberusServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddHealthChecks();
        services.AddCerberusStore();
        services.AddSlack(configuration);
        services.AddPatroni();
        services.AddKubernetesIntegration();
        services.AddAppHealthProbe();
        services.AddDiagnostics();
        services.AddRemediationActions();
        services.AddCerberusReports();
        services.AddAlerts();
        services.AddPaging();
        services.AddIncidents();
        return services;
    }

    public static WebApplication UseCerberus(this WebApplication app)
    {
        app.UseSerilogRequestLogging(o => o.GetLevel = (ctx, _, ex) =>
            ex is not null || ctx.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error : Serilog.Events.LogEventLevel.Debug);
        app.UseSlackAckTiming();
        app.MapHealthEndpoints();
        app.MapCerberusMetrics();
        app.MapSlack();
        app.MapIncidentsApi();
        app.MapAlertmanager();
        return app;
    }
}
