using System.Text.Json.Nodes;

namespace Cerberus.ChatOps.Tests.Support.Kubernetes;

/// <summary>What a route answers: a status code, a content type and a body.</summary>
public sealed record FakeResponse(int Status, string ContentType, string Body)
{
    public static FakeResponse Json(object value, int status = 200) => new(status, "application/json", k8s.KubernetesJson.Serialize(value));

    public static FakeResponse Text(string text) => new(200, "text/plain", text);

    /// <summary>A Kubernetes <c>Status</c> failure, as the API server answers a 404/403/400.</summary>
    public static FakeResponse Failure(int code, string reason, string message) => new(code, "application/json", StatusJson("Failure", reason, message, code));

    /// <summary>
    /// A <c>v1.Status</c> as JSON, written by hand: KubernetesClient's V1Status converter only reads
    /// (its Write throws NotImplementedException).
    /// </summary>
    public static string StatusJson(string status, string? reason = null, string? message = null, int? code = null, JsonObject? details = null)
    {
        var json = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = status,
        };
        if (reason is not null)
        {
            json["reason"] = reason;
        }

        if (message is not null)
        {
            json["message"] = message;
        }

        if (code is not null)
        {
            json["code"] = code;
        }

        if (details is not null)
        {
            json["details"] = details;
        }

        return json.ToJsonString();
    }
}
