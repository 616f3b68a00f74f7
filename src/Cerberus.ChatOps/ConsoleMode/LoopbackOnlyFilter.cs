using System.Net;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// The console answers only requests from this machine (127.0.0.1, ::1) addressed to a local host name (so a page
/// on another site cannot reach it through DNS rebinding); anything else gets 403.
/// </summary>
internal sealed partial class LoopbackOnlyFilter(ILogger<LoopbackOnlyFilter> logger) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (IsLocal(context.HttpContext.Connection.RemoteIpAddress) && IsLocalHost(context.HttpContext.Request.Host.Host))
        {
            return next(context);
        }

        Log.Refused(logger, context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return ValueTask.FromResult<object?>(Results.StatusCode(StatusCodes.Status403Forbidden));
    }

    public static bool IsLocal(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    public static bool IsLocalHost(string? host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Local console refused a request from {Remote}: only this machine may use it")]
        public static partial void Refused(ILogger logger, string remote);
    }
}
