using Cerberus.ChatOps.Slack.Http;

namespace Cerberus.ChatOps.Slack;

/// <summary>
/// <c>POST /slack/commands</c>, <c>/slack/interactions</c>, <c>/slack/events</c>: signed requests from Slack,
/// answered within milliseconds (see <see cref="SlackHttpInbound"/>); other methods get 405 from routing.
/// </summary>
internal static class SlackEndpoints
{
    public const string Commands = "/slack/commands";
    public const string Interactions = "/slack/interactions";
    public const string Events = "/slack/events";

    /// <summary>The routes, as the acknowledgement histogram labels them.</summary>
    public static IReadOnlyList<string> Routes { get; } = [Commands, Interactions, Events];

    public static IEndpointRouteBuilder MapSlack(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/slack").AddEndpointFilter<SlackEndpointGuard>().DisableAntiforgery();
        group.MapPost(Commands["/slack".Length..], (HttpContext context, SlackHttpInbound inbound) => inbound.CommandsAsync(context));
        group.MapPost(Interactions["/slack".Length..], (HttpContext context, SlackHttpInbound inbound) => inbound.InteractionsAsync(context));
        group.MapPost(Events["/slack".Length..], (HttpContext context, SlackHttpInbound inbound) => inbound.EventsAsync(context));
        return endpoints;
    }
}
