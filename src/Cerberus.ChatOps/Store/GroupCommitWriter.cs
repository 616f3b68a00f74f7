using System.Threading.Channels;

namespace Cerberus.ChatOps.Store;

/// <summary>
/// One writer that commits what many callers queue (group commit). A caller's item waits in a channel; the one loop
/// takes everything queued so far (at most <c>maxBatch</c>), commits it with <c>commit</c> in one transaction, which
/// is one fsync, and only then completes each caller with its own result. While a batch commits, the next one
/// gathers. If a batch fails, each of its callers gets that exception: nothing in the batch was acknowledged, and
/// Slack sends it again. A caller that stops waiting (the request was aborted) does not take its item back. The item
/// may still be committed, and the store's dedupe answers the retry.
/// </summary>
internal sealed class GroupCommitWriter<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> _commit;
    private readonly int _maxBatch;
    private readonly Task _loop;

    public GroupCommitWriter(Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> commit, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _commit = commit;
        _maxBatch = maxBatch;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues <paramref name="item"/> and completes once the batch holding it is committed.</summary>
    public Task<TResult> WriteAsync(TItem item, CancellationToken cancellationToken)
    {
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitWriter<TItem, TResult>), "The store is shutting down; the request was not stored.");
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Takes no new items, commits the queued ones, and waits for the loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var items = new List<TItem>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                items.Add(pending.Item);
            }

            try
            {
                var results = await _commit(items, CancellationToken.None).ConfigureAwait(false);
                if (results.Count != batch.Count)
                {
                    throw new InvalidOperationException($"A batch of {batch.Count} items was committed with {results.Count} results.");
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }

            batch.Clear();
            items.Clear();
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Done);
}
