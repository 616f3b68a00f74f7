using Cerberus.ChatOps.Slack.Inbound;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// At start, auth.test with the bot token: logs the team and the bot user (never the token), or why not, and tells
/// <see cref="SlackWorkspaceGate"/> which workspace is this app's own. Until then only the listed workspaces are
/// served, so a transient failure (network, 5xx, rate limit) is retried with a capped backoff; a bad token is not.
/// </summary>
internal sealed partial class SlackAuthCheck(
    IServiceScopeFactory scopes,
    IOptionsMonitor<SlackOptions> options,
    SlackWorkspaceGate gate,
    TimeProvider time,
    ILogger<SlackAuthCheck> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.CurrentValue.BotToken))
        {
            return;
        }

        var delay = FirstRetry;
        try
        {
            while (true)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var auth = await scope.ServiceProvider.GetRequiredService<ISlackApi>().AuthTestAsync(stoppingToken);
                    gate.Learn(auth.TeamId);
                    Log.Authenticated(logger, auth.Team, auth.TeamId, auth.User, auth.UserId);
                    return;
                }
                catch (SlackApiException ex) when (ex.IsTransient)
                {
                    Log.Retrying(logger, ex.Error, delay);
                }
                catch (SlackApiException ex)
                {
                    Log.Failed(logger, ex.Error);
                    return;
                }

                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Slack: signed in to {Team} ({TeamId}) as {User} ({UserId}); requests from other workspaces are refused unless listed in Slack__AllowedTeamIds/AllowedEnterpriseIds")]
        public static partial void Authenticated(ILogger logger, string team, string teamId, string user, string userId);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Slack: auth.test failed ({Error}); messages will wait in the outbox, and only the workspaces in Slack__AllowedTeamIds/AllowedEnterpriseIds are served")]
        public static partial void Failed(ILogger logger, string error);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Slack: auth.test failed ({Error}); retrying in {Delay}. Until it answers only the workspaces in Slack__AllowedTeamIds/AllowedEnterpriseIds are served")]
        public static partial void Retrying(ILogger logger, string error, TimeSpan delay);
    }
}
