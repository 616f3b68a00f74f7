using System.Globalization;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// Every console request carries the per-start access token (<see cref="LocalConsole.AccessToken"/>): the header
/// <see cref="HeaderName"/>, the query <c>token</c> (the URL printed at start), or the cookie the page gets when it
/// is opened with a valid query token (HttpOnly, SameSite=Strict, path <c>/console</c>, named per port because
/// browsers share cookies across the ports of one host). Compared in constant time; anything else gets 401.
/// </summary>
internal sealed partial class ConsoleTokenFilter(LocalConsole console, ILogger<ConsoleTokenFilter> logger) : IEndpointFilter
{
    public const string HeaderName = "X-Cerberus-Console-Token";
    public const string QueryName = "token";

    public static string CookieName(int port) => "cerberus_console_" + port.ToString(CultureInfo.InvariantCulture);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var request = http.Request;
        var cookie = CookieName(http.Connection.LocalPort);
        string? header = request.Headers[HeaderName];
        string? query = request.Query[QueryName];
        if (console.IsAccessToken(header) || console.IsAccessToken(request.Cookies[cookie]))
        {
            return next(context);
        }

        if (console.IsAccessToken(query))
        {
            // The printed URL: from now on the browser proves it with the cookie (the page drops the token from its address).
            http.Response.Cookies.Append(cookie, query!, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = LocalConsole.Path,
                IsEssential = true,
            });
            return next(context);
        }

        Log.Refused(logger, request.Path.Value ?? "/");
        return ValueTask.FromResult<object?>(Results.Unauthorized());
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Local console refused {Path}: no valid access token (open the URL printed at start)")]
        public static partial void Refused(ILogger logger, string path);
    }
}
