using System.Text.Json;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Diagnostics.Patroni;

/// <summary><see cref="IPatroniIdentityClient"/> over HTTP: one GET of <c>/patroni</c>, never a write, never retried.</summary>
internal sealed class PatroniIdentityClient(HttpClient http, IOptions<PatroniOptions> options) : IPatroniIdentityClient
{
    public async Task<PatroniIdentity?> GetIdentityAsync(Uri member, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(options.Value.RequestTimeout);
        try
        {
            // /patroni answers 503 with the same JSON body on a replica or a sick node: still data.
            using var response = await http.GetAsync(new Uri(member, "patroni"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
            if (body.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new PatroniIdentity(member, Text(body, "database_system_identifier"), Text(body, "role"),
                body.TryGetProperty("patroni", out var p) && p.ValueKind == JsonValueKind.Object ? Text(p, "scope") : null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
