namespace Cerberus.ChatOps.Store;

/// <summary>
/// Creates or migrates the schema while the host is starting: <see cref="IHostedLifecycleService.StartingAsync"/>
/// runs before any hosted service's StartAsync and before Kestrel accepts requests, so nothing uses the store first.
/// A store that cannot be initialised stops the start with an error naming the provider (never the connection string).
/// </summary>
internal sealed partial class StoreInitializer(ICerberusStore store, ILogger<StoreInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Failed(logger, store.ProviderName, ex.Message);
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "The {Provider} store is not usable, the host does not start: {Reason}")]
        public static partial void Failed(ILogger logger, string provider, string reason);
    }
}
