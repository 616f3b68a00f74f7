using Cerberus.ChatOps.Hosting.Logging;
using Cerberus.ChatOps.Patroni;
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
        builder.Services.AddPatroni();
        Diagnostics.DiagnosticsServiceCollectionExtensions.AddDiagnostics(builder.Services);
        return builder;
    }

    public static WebApplication UseCerberus(this WebApplication app)
    {
        app.UseSerilogRequestLogging(o => o.GetLevel = (ctx, _, ex) =>
            ex is not null || ctx.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error : Serilog.Events.LogEventLevel.Debug);
        app.MapHealthEndpoints();
        return app;
    }
}
