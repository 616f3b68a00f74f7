namespace Cerberus.ChatOps.Slack.Api;

/// <summary>
/// Every Web API method the bot calls (plus <c>response_url</c> and the file <c>upload</c> step), as the metrics label
/// them: the closed set whose series exist at zero from the first scrape. A test checks the client calls no other.
/// </summary>
internal static class SlackApiMethods
{
    public static IReadOnlyList<string> All { get; } =
    [
        "apps.connections.open",
        "auth.test",
        "chat.postEphemeral",
        "chat.postMessage",
        "chat.update",
        "conversations.create",
        "conversations.history",
        "conversations.invite",
        "conversations.replies",
        "files.completeUploadExternal",
        "files.getUploadURLExternal",
        "response_url",
        "upload",
        "usergroups.users.list",
        "users.conversations",
    ];
}
