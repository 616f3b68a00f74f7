namespace Cerberus.ChatOps.Tests.Patroni;

/// <summary>Patroni's REST API at the HttpMessageHandler level: each request is answered (or failed) by the script.</summary>
internal sealed class ScriptedHandler(Func<HttpRequestMessage, string, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<(HttpMethod Method, string Path, string Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request.Method, request.RequestUri!.AbsolutePath, body));
        return answer(request, body);
    }
}
