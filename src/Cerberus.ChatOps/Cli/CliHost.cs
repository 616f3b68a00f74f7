using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Hosting.Logging;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Store;
using Serilog;
using Serilog.Events;

namespace Cerberus.ChatOps.Cli;

/// <summary>
/// <c>dotnet run --project src/Cerberus.ChatOps -- incident …</c>: the same configuration and services as the web
/// host, built with a generic Host that is never started (no Kestrel, no inbox/outbox workers, no timers): the store
/// is initialised, one command runs through the engine, and the process waits for the work it started.
/// Logs (warnings and worse) go to stderr; stdout is the command's result.
/// </summary>
internal static class CliHost
{
    public const string Verb = "incident";
    public const string ChannelKey = "Cerberus:Cli:Channel";
    public const string WaitKey = "Cerberus:Cli:Wait";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = CliArguments.Parse(args.Skip(1).ToList());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // Only --key=value pairs reach the configuration; the command words are ours.
            Args = [.. args.Where(a => a.StartsWith("--Cerberus", StringComparison.Ordinal) || a.StartsWith("--Slack", StringComparison.Ordinal))],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSerilog((sp, lc) => lc
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Warning()
            .Enrich.FromLogContext()
            .Enrich.With<RedactingEnricher>()
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture),
            preserveStaticLogger: true);
        if (CliActor.IsSelfAsserted(builder.Configuration))
        {
            // The actor is the OS user; a name typed on the command line or in the environment would let anyone act as an approver.
            await output.WriteLineAsync(CliActor.SelfAssertedRefusal);
            return IncidentCli.Usage;
        }

        builder.Services.AddCerberusServices(builder.Configuration);
        using var host = builder.Build();
        var services = host.Services;
        await services.GetRequiredService<ICerberusStore>().InitializeAsync(cancellationToken);
        var configuration = services.GetRequiredService<IConfiguration>();
        var wait = TimeSpan.TryParse(configuration[WaitKey], System.Globalization.CultureInfo.InvariantCulture, out var w) && w > TimeSpan.Zero ? w : TimeSpan.FromMinutes(2);
        var cli = new IncidentCli(
            services.GetRequiredService<IncidentEngine>(),
            services.GetRequiredService<IIncidentStore>(),
            services.GetRequiredService<BackgroundWork>(),
            services.GetRequiredService<TimeProvider>(),
            CliActor.Resolve(),
            string.IsNullOrWhiteSpace(configuration[ChannelKey]) ? null : configuration[ChannelKey],
            wait,
            output);
        return await cli.RunAsync(parsed, cancellationToken);
    }
}
