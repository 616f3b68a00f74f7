using Cerberus.ChatOps.Store.Sqlite;

namespace Cerberus.ChatOps.Tests.Store;

public sealed class SqliteWriteGateTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task EnterAsync_WorkerWritesQueued_AnAckGoesBeforeThemButNotTwiceInARow()
    {
        // arrange: a worker write holds the turn; two more worker writes, then two ack batches, queue behind it
        var gate = new SqliteWriteGate();
        var order = new List<string>();
        var held = await gate.EnterAsync(CancellationToken.None);
        var waiting = new List<Task>
        {
            TakeAsync(gate, ack: false, "worker 1", order),
            TakeAsync(gate, ack: false, "worker 2", order),
            TakeAsync(gate, ack: true, "ack 1", order),
            TakeAsync(gate, ack: true, "ack 2", order),
        };

        // act
        held.Dispose();
        await Task.WhenAll(waiting).WaitAsync(Limit);

        // assert
        Assert.Equal(["ack 1", "worker 1", "ack 2", "worker 2"], order);
    }

    [Fact]
    public async Task EnterAsync_OneAtATime_TheNextWakesWhenTheTurnIsHandedOn()
    {
        // arrange
        var gate = new SqliteWriteGate();
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None);
        await Task.Delay(20);
        var secondWaited = !second.IsCompleted;

        // act
        first.Dispose();
        first.Dispose();
        using var turn = await second.WaitAsync(Limit);
        var third = gate.EnterAsync(ack: true, CancellationToken.None);
        await Task.Delay(20);

        // assert
        Assert.True(secondWaited);
        Assert.False(third.IsCompleted);
    }

    [Fact]
    public async Task EnterAsync_WaiterGivesUp_TheTurnGoesToTheNextOne()
    {
        // arrange
        var gate = new SqliteWriteGate();
        var held = await gate.EnterAsync(CancellationToken.None);
        using var giveUp = new CancellationTokenSource();
        var abandoned = gate.EnterAsync(ack: true, giveUp.Token);
        var next = gate.EnterAsync(CancellationToken.None);

        // act
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        held.Dispose();
        using var turn = await next.WaitAsync(Limit);

        // assert: the gate is held by `next` only; after it, the gate is free again
        turn.Dispose();
        using var after = await gate.EnterAsync(CancellationToken.None).WaitAsync(Limit);
        Assert.NotNull(after);
    }

    private static async Task TakeAsync(SqliteWriteGate gate, bool ack, string name, List<string> order)
    {
        var entered = gate.EnterAsync(ack, CancellationToken.None);
        using var turn = await entered;
        lock (order)
        {
            order.Add(name);
        }
    }
}
