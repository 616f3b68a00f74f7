using System.Globalization;
using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cerberus.ChatOps.IntegrationTests.Diagnostics;

/// <summary>The product's own registration (AddPatroni + AddDiagnostics) over an in-memory configuration.</summary>
internal static class DiagnosticsHost
{
    public static ServiceProvider Build(string? connectionString, IEnumerable<Uri>? patroniUrls, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Cerberus:Postgres:ConnectionString"] = connectionString,
        };
        var i = 0;
        foreach (var url in patroniUrls ?? [])
        {
            settings[string.Create(CultureInfo.InvariantCulture, $"Cerberus:Patroni:Urls:{i++}")] = url.ToString();
        }

        foreach (var kv in extra ?? new Dictionary<string, string?>())
        {
            settings[kv.Key] = kv.Value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddPatroni();
        services.AddDiagnostics();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public static IDiagnosticsRunner Runner(this ServiceProvider provider) => provider.GetRequiredService<IDiagnosticsRunner>();
}
