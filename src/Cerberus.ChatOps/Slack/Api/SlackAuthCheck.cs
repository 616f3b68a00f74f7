using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>At start, auth.test with the bot token: logs the team and the bot user (never the token), or why not.</summary>
internal sealed partial class SlackAuthCheck(
    IServiceScopeFactory scopes,
    IOptionsMonitor<SlackOptions> options,
    ILogger<SlackAuthCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.CurrentValue.BotToken))
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var auth = await scope.ServiceProvider.GetRequiredService<ISlackApi>().AuthTestAsync(stoppingToken);
            Log.Authenticated(logger, auth.Team, auth.TeamId, auth.User, auth.UserId);
        }
        catch (SlackApiException ex)
        {
            Log.Failed(logger, ex.Error);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Slack: signed in to {Team} ({TeamId}) as {User} ({UserId})")]
        public static partial void Authenticated(ILogger logger, string team, string teamId, string user, string userId);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Slack: auth.test failed ({Error}); messages will wait in the outbox")]
        public static partial void Failed(ILogger logger, string error);
    }
}
