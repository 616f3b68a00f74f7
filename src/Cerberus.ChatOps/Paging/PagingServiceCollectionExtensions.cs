using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Paging;

internal static class PagingServiceCollectionExtensions
{
    /// <summary>PagerDuty's options (validated at start), the pager the engine calls and the client the outbox sends with.</summary>
    public static IServiceCollection AddPaging(this IServiceCollection services)
    {
        services.AddValidatedOptions<PagerDutyOptions, PagerDutyOptionsValidator>(PagerDutyOptions.Section);
        services.AddSingleton<IncidentPager>();
        services.AddHttpClient<PagerDutyClient>(c => c.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
