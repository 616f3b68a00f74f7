using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Patroni;

internal static class PatroniServiceCollectionExtensions
{
    public static IServiceCollection AddPatroni(this IServiceCollection services)
    {
        services.AddValidatedOptions<PatroniOptions, PatroniOptionsValidator>(PatroniOptions.Section);

        // No resilience handler: GETs have per-member timeouts, and a POST to Patroni is never retried blindly.
        services.AddHttpClient<IPatroniClient, PatroniClient>(c => c.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
