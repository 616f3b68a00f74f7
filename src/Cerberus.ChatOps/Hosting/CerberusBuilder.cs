using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Hosting.Logging;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Incidents;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Reports;
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
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks();
        builder.Services.AddHostedService<StartupReport>();
        builder.Services.AddCerberusStore();
        builder.Services.AddSlack(builder.Configuration);
        builder.Services.AddPatroni();
        builder.Services.AddKubernetesIntegration();
        builder.Services.AddDiagnostics();
        builder.Services.AddRemediationActions();
        builder.Services.AddCerberusReports();
        builder.Services.AddIncidents();
        return builder;
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
        return app;
    }
}
