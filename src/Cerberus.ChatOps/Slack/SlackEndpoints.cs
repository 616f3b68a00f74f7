using Cerberus.ChatOps.Slack.Http;

namespace Cerberus.ChatOps.Slack;

/// <summary>
/// <c>POST /slack/commands</c>, <c>/slack/interactions</c>, <c>/slack/events</c>: signed requests from Slack,
/// answered within milliseconds (see <see cref="SlackHttpInbound"/>); other methods get 405 from routing.
/// </summary>
internal static class SlackEndpoints
{
    public static IEndpointRouteBuilder MapSlack(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/slack").AddEndpointFilter<SlackEndpointGuard>().DisableAntiforgery();
        group.MapPost("/commands", (HttpContext context, SlackHttpInbound inbound) => inbound.CommandsAsync(context));
        group.MapPost("/interactions", (HttpContext context, SlackHttpInbound inbound) => inbound.InteractionsAsync(context));
        group.MapPost("/events", (HttpContext context, SlackHttpInbound inbound) => inbound.EventsAsync(context));
        return endpoints;
    }
}
