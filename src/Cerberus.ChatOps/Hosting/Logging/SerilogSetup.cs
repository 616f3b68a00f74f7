using Serilog;
using Serilog.Formatting.Compact;

namespace Cerberus.ChatOps.Hosting.Logging;

/// <summary>
/// Serilog is the provider only: readable text on a terminal, compact JSON otherwise (containers, CI), and
/// every string property passes the secret redactor on its way out.
/// </summary>
internal static class SerilogSetup
{
    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{IncidentSuffix}{NewLine}{Exception}";

    public static bool UseJson(IConfiguration? configuration)
    {
        var format = configuration?["Logging:Format"] ?? Environment.GetEnvironmentVariable("CERBERUS_LOG_FORMAT");
        return format switch
        {
            "json" => true,
            "text" => false,
            _ => Console.IsOutputRedirected,
        };
    }

    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration configuration, bool json) =>
        json
            ? configuration.WriteTo.Console(new RenderedCompactJsonFormatter())
            : configuration.Enrich.With<IncidentSuffixEnricher>()
                .WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);

    public static Serilog.ILogger CreateBootstrapLogger() =>
        new LoggerConfiguration()
            .Enrich.With<RedactingEnricher>()
            .WriteToConsole(UseJson(null))
            .CreateBootstrapLogger();

    /// <remarks>
    /// The static bootstrap logger is left as it is (<c>preserveStaticLogger</c>): freezing it would replace a
    /// process-wide logger from inside one host, and two hosts built at once in one process (the tests'
    /// application factories) then race on it ("The logger is already frozen"). The host logs through its own
    /// container-owned logger; only Program's last-chance errors use the static one.
    /// </remarks>
    public static IServiceCollection AddCerberusSerilog(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSerilog(
            (sp, lc) => lc
                .ReadFrom.Configuration(configuration)
                .ReadFrom.Services(sp)
                .Enrich.FromLogContext()
                .Enrich.With<RedactingEnricher>()
                .WriteToConsole(UseJson(configuration)),
            preserveStaticLogger: true);
}
