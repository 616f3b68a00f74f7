using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.ConsoleMode;

/// <summary>
/// The console's own Kestrel server, bound to 127.0.0.1 only (port <see cref="ConsoleOptions.Port"/>, any free one by
/// default), apart from the host's listeners (<c>ASPNETCORE_URLS</c>, <c>http://+:8080</c> in the image), which serve
/// no console route at all. Nothing reaching the pod or the machine through another interface can connect to it.
/// It shares the host's console singletons and logging, and prints its URL with the access token at start, once, on
/// standard output (as Jupyter does); the log line names the address without the token.
/// </summary>
internal sealed partial class ConsoleServer(
    LocalConsole console,
    LocalSlack slack,
    ConsoleInbound inbound,
    ILoggerFactory loggers,
    ILogger<ConsoleServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The base address once started, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // An empty builder: none of the host's configuration (URLs, Kestrel endpoints) reaches this server.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(ConsoleServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = 64 * 1024;
            o.Listen(IPAddress.Loopback, console.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggers));
        builder.Services.AddSingleton(console);
        builder.Services.AddSingleton(slack);
        builder.Services.AddSingleton(inbound);
        builder.Services.AddSingleton<LoopbackOnlyFilter>();
        builder.Services.AddSingleton<ConsoleTokenFilter>();
        var app = builder.Build();
        app.MapLocalConsole();
        await app.StartAsync(cancellationToken);
        _app = app;

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Address = new Uri(bound ?? $"http://127.0.0.1:{console.Port}");
        var page = new Uri(Address, LocalConsole.Path);
        Log.Listening(logger, page);
        await Console.Out.WriteLineAsync($"Local console: open {page}?{ConsoleTokenFilter.QueryName}={console.AccessToken} (this machine only; the token changes at every start)");
        await Console.Out.FlushAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Local console listening on {Url} (127.0.0.1 only, access token required; the URL with the token is printed on standard output)")]
        public static partial void Listening(ILogger logger, Uri url);
    }
}
