using Cerberus.ChatOps.Domain.Ports;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>The whole host with an in-memory incident store and a configured reports bearer token.</summary>
public sealed class ReportsApiFactory : WebApplicationFactory<Program>
{
    /// <summary>A test-only value, long enough for the validator; not a real secret.</summary>
    public const string Token = "test-reports-token-0123456789abcdef";

    internal InMemoryIncidentStore Store { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Cerberus:Reports:BearerToken", Token);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IIncidentStore>();
            services.AddSingleton<IIncidentStore>(Store);
        });
    }
}
