using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Hosting.Logging;
using Microsoft.Extensions.Options;
using Serilog;

Log.Logger = SerilogSetup.CreateBootstrapLogger();
try
{
    if (args.Length > 0 && args[0] == Cerberus.ChatOps.Cli.CliHost.Verb)
    {
        return await Cerberus.ChatOps.Cli.CliHost.RunAsync(args, Console.Out, CancellationToken.None);
    }

    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,

        // appsettings.json is linked into the output folder from the repository root.
        ContentRootPath = AppContext.BaseDirectory,
    });
    builder.AddCerberus();
    var app = builder.Build();
    app.UseCerberus();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    foreach (var failure in ex.Failures)
    {
        Log.Fatal("Configuration error: {Problem}", failure);
    }

    return 2;
}
catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
{
    Log.Fatal("Configuration error: {Problem}", ex.Message);
    return 2;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
