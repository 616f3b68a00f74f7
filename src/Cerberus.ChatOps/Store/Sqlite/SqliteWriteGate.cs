namespace Cerberus.ChatOps.Store.Sqlite;

/// <summary>
/// The store's one write turn in this process. SQLite has one writer per file. A writer that finds the lock taken
/// sleeps in <c>busy_timeout</c>'s back-off steps (up to 100 ms each) and can wake long after the lock was free. Every
/// write of the store takes this turn first, so in-process writers queue here and each wakes the moment the one
/// before it releases. <c>busy_timeout</c> is then only for another process on the same file (the CLI, a second
/// host started by mistake).
/// Two queues: the inbox writer (a batch of acknowledgements Slack is waiting for) goes before the workers' writes,
/// but never twice in a row while a worker write waits. An ack therefore waits for at most one worker write and its
/// own commit, and the workers still get every other turn under a flood of requests. Within a queue, arrival order.
/// </summary>
internal sealed class SqliteWriteGate
{
    private readonly Lock _sync = new();
    private readonly Queue<TaskCompletionSource> _acks = new();
    private readonly Queue<TaskCompletionSource> _others = new();
    private bool _held;
    private bool _lastWasAck;

    /// <summary>Waits for the write turn; dispose the result to hand it on.</summary>
    /// <param name="ack">True for the inbox writer, whose commit answers waiting Slack requests.</param>
    public async Task<Turn> EnterAsync(bool ack, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_sync)
        {
            if (!_held)
            {
                _held = true;
                _lastWasAck = ack;
                return new Turn(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (ack ? _acks : _others).Enqueue(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Given up: if the turn was handed over meanwhile, pass it on; otherwise Release skips this waiter.
            if (!waiter.TrySetCanceled(cancellationToken))
            {
                Release();
            }

            throw;
        }

        return new Turn(this);
    }

    /// <summary>Waits for the write turn as a worker write.</summary>
    public Task<Turn> EnterAsync(CancellationToken cancellationToken) => EnterAsync(ack: false, cancellationToken);

    private void Release()
    {
        lock (_sync)
        {
            while (Next() is { } next)
            {
                if (next.TrySetResult())
                {
                    return;
                }
            }

            _held = false;
        }
    }

    /// <summary>The next waiter: acks first, except right after an ack turn when a worker write waits.</summary>
    private TaskCompletionSource? Next()
    {
        var preferOthers = _lastWasAck && _others.Count > 0;
        if (!preferOthers && _acks.TryDequeue(out var ack))
        {
            _lastWasAck = true;
            return ack;
        }

        if (_others.TryDequeue(out var other))
        {
            _lastWasAck = false;
            return other;
        }

        return null;
    }

    /// <summary>A held write turn.</summary>
    public sealed class Turn(SqliteWriteGate gate) : IDisposable
    {
        private SqliteWriteGate? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
