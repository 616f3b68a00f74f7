namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>One request the fake API server received, with its body (empty for GET).</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, bool WebSocket)
{
    public string QueryValue(string key) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).TryGetValue(key, out var v) ? v.ToString() : string.Empty;
}
