using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Store;

internal static class StoreServiceCollectionExtensions
{
    public static IServiceCollection AddCerberusStore(this IServiceCollection services)
    {
        services.AddValidatedOptions<StoreOptions, StoreOptionsValidator>(StoreOptions.Section);
        return services;
    }
}
