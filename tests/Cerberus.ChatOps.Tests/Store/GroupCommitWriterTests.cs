using Cerberus.ChatOps.Store;

namespace Cerberus.ChatOps.Tests.Store;

public sealed class GroupCommitWriterTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WriteAsync_ItemsQueuedWhileABatchCommits_GoTogetherInTheNextBatchEachWithItsOwnResult()
    {
        // arrange: the first commit is held open until the test lets it go
        var batches = new List<IReadOnlyList<int>>();
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new GroupCommitWriter<int, string>(async (items, _) =>
        {
            lock (batches)
            {
                batches.Add([.. items]);
            }

            if (items.Contains(0))
            {
                firstEntered.TrySetResult();
                await releaseFirst.Task;
            }

            return [.. items.Select(i => "row " + i)];
        }, maxBatch: 100);

        // act
        var first = writer.WriteAsync(0, CancellationToken.None);
        await firstEntered.Task.WaitAsync(Limit);
        var queued = Enumerable.Range(1, 5).Select(i => writer.WriteAsync(i, CancellationToken.None)).ToList();
        await Task.Delay(50);
        var answeredBeforeCommit = queued.Count(t => t.IsCompleted);
        releaseFirst.SetResult();
        var results = await Task.WhenAll(queued).WaitAsync(Limit);

        // assert
        Assert.Equal("row 0", await first);
        Assert.Equal(0, answeredBeforeCommit);
        Assert.Equal(["row 1", "row 2", "row 3", "row 4", "row 5"], results);
        Assert.Equal(2, batches.Count);
        Assert.Equal([1, 2, 3, 4, 5], batches[1]);
    }

    [Fact]
    public async Task WriteAsync_MoreQueuedThanTheBatchLimit_CommitsInBatchesOfAtMostTheLimit()
    {
        // arrange
        var sizes = new List<int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new GroupCommitWriter<int, int>(async (items, _) =>
        {
            sizes.Add(items.Count);
            await gate.Task;
            return [.. items];
        }, maxBatch: 4);

        // act
        var writes = Enumerable.Range(0, 10).Select(i => writer.WriteAsync(i, CancellationToken.None)).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(writes).WaitAsync(Limit);

        // assert
        Assert.Equal(Enumerable.Range(0, 10), results);
        Assert.All(sizes, size => Assert.InRange(size, 1, 4));
        Assert.Equal(10, sizes.Sum());
    }

    [Fact]
    public async Task WriteAsync_BatchFails_EveryCallerInItGetsTheErrorAndTheNextBatchIsCommitted()
    {
        // arrange: the commit holding item 0 fails; the one after it succeeds
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new GroupCommitWriter<int, int>(async (items, _) =>
        {
            if (items.Contains(0))
            {
                firstEntered.TrySetResult();
                await releaseFirst.Task;
                throw new IOException("disk I/O error");
            }

            return [.. items];
        }, maxBatch: 100);
        var failing = writer.WriteAsync(0, CancellationToken.None);
        await firstEntered.Task.WaitAsync(Limit);
        var next = writer.WriteAsync(1, CancellationToken.None);

        // act
        releaseFirst.SetResult();

        // assert
        var error = await Assert.ThrowsAsync<IOException>(() => failing.WaitAsync(Limit));
        Assert.Equal("disk I/O error", error.Message);
        Assert.Equal(1, await next.WaitAsync(Limit));
    }

    [Fact]
    public async Task WriteAsync_CallerStopsWaiting_ItsItemIsStillCommitted()
    {
        // arrange
        var committed = new List<int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new GroupCommitWriter<int, int>(async (items, _) =>
        {
            await gate.Task;
            lock (committed)
            {
                committed.AddRange(items);
            }

            return [.. items];
        }, maxBatch: 100);
        using var aborted = new CancellationTokenSource();

        // act
        var write = writer.WriteAsync(7, aborted.Token);
        await aborted.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        gate.SetResult();
        var after = await writer.WriteAsync(8, CancellationToken.None).WaitAsync(Limit);

        // assert
        Assert.Equal(8, after);
        Assert.Contains(7, committed);
    }

    [Fact]
    public async Task DisposeAsync_ItemsStillQueued_CommitsThemAndRefusesNewOnes()
    {
        // arrange
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new GroupCommitWriter<int, int>(async (items, _) =>
        {
            await gate.Task;
            return [.. items.Select(i => i * 10)];
        }, maxBatch: 2);
        var queued = Enumerable.Range(1, 5).Select(i => writer.WriteAsync(i, CancellationToken.None)).ToList();

        // act
        var disposing = writer.DisposeAsync().AsTask();
        var refused = Assert.Throws<ObjectDisposedException>(() => { _ = writer.WriteAsync(6, CancellationToken.None); });
        gate.SetResult();
        await disposing.WaitAsync(Limit);

        var results = await Task.WhenAll(queued);

        // assert
        Assert.Equal([10, 20, 30, 40, 50], results);
        Assert.Contains("not stored", refused.Message, StringComparison.Ordinal);
    }
}
