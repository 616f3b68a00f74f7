using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cerberus.ChatOps.Tests.Hosting.Metrics;

/// <summary>The real host, with its SQLite store in a temporary folder and Kubernetes turned off.</summary>
public sealed class MetricsHostFactory : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cerberus-metrics-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Cerberus:Store:ConnectionString", $"Data Source={Path.Combine(_directory, "cerberus.db")}");
        builder.UseSetting("Cerberus:Kubernetes:Enabled", "false");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves a temporary folder behind.
        }
    }
}
