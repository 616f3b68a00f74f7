using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Cerberus.ChatOps.Api;

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer &lt;Cerberus:Reports:BearerToken&gt;</c>, compared in
/// constant time. Without a configured token every request is refused (fail closed), and the body says so.
/// </summary>
internal sealed partial class BearerTokenFilter(IOptionsMonitor<ReportsOptions> options, ILogger<BearerTokenFilter> logger) : IEndpointFilter
{
    public const string NotConfiguredMessage =
        "The reports API is closed: no bearer token is configured (Cerberus:Reports:BearerToken, or Cerberus__Reports__BearerToken in the environment).";

    public const string MissingMessage = "A bearer token is required: send `Authorization: Bearer <token>`.";
    public const string WrongMessage = "The bearer token is not valid.";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var configured = options.CurrentValue.BearerToken;
        if (string.IsNullOrEmpty(configured))
        {
            Log.NotConfigured(logger, http.Request.Path);
            return Refuse(http, NotConfiguredMessage, null);
        }

        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
        {
            return Refuse(http, MissingMessage, null);
        }

        if (!SameToken(header[scheme.Length..].Trim(), configured))
        {
            Log.WrongToken(logger, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Refuse(http, WrongMessage, "invalid_token");
        }

        return await next(context);
    }

    /// <summary>Constant time whatever the lengths: both sides are hashed to 32 bytes first.</summary>
    internal static bool SameToken(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(configured)));

    /// <summary>401 with the <c>WWW-Authenticate</c> challenge (RFC 6750), <paramref name="error"/> when a token was presented.</summary>
    internal static ProblemHttpResult Refuse(HttpContext http, string message, string? error)
    {
        http.Response.Headers[HeaderNames.WWWAuthenticate] = error is null
            ? "Bearer realm=\"cerberus\""
            : $"Bearer realm=\"cerberus\", error=\"{error}\"";
        return TypedResults.Problem(message, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Reports API request to {Path} refused: no bearer token is configured")]
        public static partial void NotConfigured(ILogger logger, PathString path);

        [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Reports API request to {Path} from {Remote} refused: wrong bearer token")]
        public static partial void WrongToken(ILogger logger, PathString path, string remote);
    }
}
