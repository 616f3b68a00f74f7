using System.Net;
using Cerberus.ChatOps.Domain.Text;
using k8s.Autorest;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>One short, secret-free sentence for a failed API call, naming the RBAC grant when the answer was 403.</summary>
internal static class KubernetesErrors
{
    public static HttpStatusCode? StatusOf(Exception ex) => ex switch
    {
        HttpOperationException op => op.Response?.StatusCode,
        k8s.KubernetesException ke when ke.Status?.Code is int code => (HttpStatusCode)code,
        HttpRequestException http => http.StatusCode,
        _ => null,
    };

    public static bool IsNotFound(Exception ex) => StatusOf(ex) == HttpStatusCode.NotFound;

    /// <summary>Describes <paramref name="ex"/>; <paramref name="grant"/> names the permission the call needs (e.g. "pods/log get").</summary>
    public static string Describe(Exception ex, string grant)
    {
        var status = StatusOf(ex);
        var text = status switch
        {
            HttpStatusCode.Forbidden => $"forbidden: the bot's Role needs {grant}",
            HttpStatusCode.Unauthorized => "unauthorized: the service account token or kubeconfig credentials were refused",
            HttpStatusCode.NotFound => "not found",
            not null => $"HTTP {(int)status.Value}",
            null => ex switch
            {
                TaskCanceledException or OperationCanceledException => "no answer from the API server within Cerberus__Kubernetes__RequestTimeout",
                HttpRequestException => "API server unreachable: " + ex.Message,
                k8s.KubernetesException ke => ke.Status?.Message ?? ke.Message,
                _ => ex.GetType().Name + ": " + ex.Message,
            },
        };
        return SecretRedactor.Redact(text);
    }

    /// <summary>
    /// <see cref="Describe"/> plus the API server's own <c>Status.message</c> when it sent one (a quota exceeded, a
    /// field the admission refused): for writes, whose refusals carry the reason there.
    /// </summary>
    public static string DescribeWithMessage(Exception ex, string grant)
    {
        var text = Describe(ex, grant);
        var message = ServerMessage(ex);
        return message is null || text.Contains(message, StringComparison.Ordinal) ? text : SecretRedactor.Redact($"{text}: {message}");
    }

    /// <summary>The <c>message</c> of the <c>v1.Status</c> the API server answered with, when the failure carries one.</summary>
    public static string? ServerMessage(Exception ex)
    {
        var content = ex is HttpOperationException op ? op.Response?.Content : null;
        if (string.IsNullOrWhiteSpace(content))
        {
            return ex is k8s.KubernetesException ke ? ke.Status?.Message : null;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(content);
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var m)
                ? Shorten(m.GetString())
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string? Shorten(string? text) => text is null ? null : text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>
    /// True for a cancellation the caller did not ask for: KubernetesClient's HttpClient timeout (RequestTimeout)
    /// surfaces as a TaskCanceledException while <paramref name="cancellationToken"/> is still live.
    /// </summary>
    public static bool IsClientTimeout(Exception ex, CancellationToken cancellationToken) =>
        ex is OperationCanceledException && !cancellationToken.IsCancellationRequested;

    /// <summary>An API failure or a client timeout: what probes and actions turn into a finding instead of throwing.</summary>
    public static bool IsFailure(Exception ex, CancellationToken cancellationToken) => IsApiFailure(ex) || IsClientTimeout(ex, cancellationToken);

    /// <remarks>
    /// An HTTP client timeout (<c>HttpClientTimeout</c> = RequestTimeout) surfaces as a TaskCanceledException whose
    /// inner exception is a TimeoutException: that is an API failure, not a cancellation by the caller.
    /// </remarks>
    public static bool IsApiFailure(Exception ex) =>
        ex is HttpOperationException or HttpRequestException or k8s.KubernetesException or IOException
            or System.Net.WebSockets.WebSocketException or System.Text.Json.JsonException
            or TaskCanceledException { InnerException: TimeoutException };
}
