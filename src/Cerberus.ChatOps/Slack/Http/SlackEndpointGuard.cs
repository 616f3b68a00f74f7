namespace Cerberus.ChatOps.Slack.Http;

/// <summary>
/// Keeps the Slack routes from ever answering 500. A client that goes away gets nothing; a broken request 400;
/// a failure after verification (the inbox store is down) gets what makes Slack act right: for a slash command an
/// ephemeral 200 explaining it (Slack's advice: never an HTTP error), for events and interactions a 503 so Slack
/// retries the event or shows the user the click failed.
/// </summary>
internal sealed partial class SlackEndpointGuard(ILogger<SlackEndpointGuard> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (BadHttpRequestException ex)
        {
            Log.BadRequest(logger, http.Request.Path, ex.StatusCode);
            return Results.StatusCode(ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : StatusCodes.Status400BadRequest);
        }
        catch (Exception ex)
        {
            Log.Failed(logger, http.Request.Path, ex);
            if (http.Request.Path.Value?.EndsWith("/commands", StringComparison.Ordinal) == true)
            {
                return Results.Json(new
                {
                    response_type = "ephemeral",
                    text = "Cerberus could not record this command right now. Please try again in a moment.",
                });
            }

            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Slack {Path}: bad request ({Status})")]
        public static partial void BadRequest(ILogger logger, PathString path, int status);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Slack {Path}: could not accept the request")]
        public static partial void Failed(ILogger logger, PathString path, Exception exception);
    }
}
