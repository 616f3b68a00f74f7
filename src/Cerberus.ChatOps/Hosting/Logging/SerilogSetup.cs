using Serilog;
using Serilog.Formatting.Compact;
using Serilog.Sinks.SystemConsole.Themes;

namespace Cerberus.ChatOps.Hosting.Logging;

/// <summary>
/// Serilog is the provider only: readable, coloured text on a terminal (<c>dotnet run</c>), compact JSON otherwise
/// (containers, CI), overridable; every string property passes the secret redactor on its way out.
/// </summary>
internal static class SerilogSetup
{
    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{IncidentSuffix}{NewLine}{Exception}";

    /// <summary>
    /// JSON or text: <c>Logging:Format</c> (<c>Logging__Format</c>), else <c>CERBERUS_LOG_FORMAT</c>, each <c>json</c>,
    /// <c>text</c> or <c>auto</c>; auto (and anything else) means text when stdout is a terminal, JSON when it is
    /// redirected (a container's log, CI, a pipe).
    /// </summary>
    public static bool UseJson(IConfiguration? configuration) =>
        UseJson(configuration?["Logging:Format"] ?? Environment.GetEnvironmentVariable("CERBERUS_LOG_FORMAT"), Console.IsOutputRedirected);

    public static bool UseJson(string? format, bool outputRedirected) =>
        format?.Trim().ToLowerInvariant() switch
        {
            "json" => true,
            "text" => false,
            _ => outputRedirected,
        };

    /// <summary>Colours on a terminal unless <c>NO_COLOR</c> is set (no-color.org); never when the output is redirected.</summary>
    public static ConsoleTheme Theme(string? noColor, bool outputRedirected) =>
        !string.IsNullOrEmpty(noColor) || outputRedirected ? ConsoleTheme.None : SystemConsoleTheme.Literate;

    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration configuration, bool json) =>
        json
            ? configuration.WriteTo.Console(new RenderedCompactJsonFormatter())
            : configuration.Enrich.With<IncidentSuffixEnricher>()
                .WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                    theme: Theme(Environment.GetEnvironmentVariable("NO_COLOR"), Console.IsOutputRedirected));

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
