using Clearinghouse.Grains.Persistence;

namespace Clearinghouse.UnitTests.Persistence;

public class StateWriteQueueTests
{
    private readonly List<TaskCompletionSource> writes = [];
    private readonly StateWriteQueue queue;

    public StateWriteQueueTests()
    {
        queue = new StateWriteQueue(() =>
        {
            var write = new TaskCompletionSource();
            writes.Add(write);
            return write.Task;
        });
    }

    [Fact]
    public async Task Keeps_one_write_in_flight_and_coalesces_the_callers_that_wait()
    {
        var first = queue.WriteAsync();
        var second = queue.WriteAsync();
        var third = queue.WriteAsync();
        Assert.Single(writes);

        writes[0].SetResult();
        await first;
        Assert.Equal(2, writes.Count);
        Assert.False(second.IsCompleted);

        writes[1].SetResult();
        await Task.WhenAll(second, third);
        Assert.Equal(2, writes.Count);
    }

    [Fact]
    public async Task A_caller_is_acknowledged_only_by_a_write_that_started_after_it_asked()
    {
        var first = queue.WriteAsync();
        var late = queue.WriteAsync();

        writes[0].SetResult();
        await first;
        Assert.False(late.IsCompleted);
        writes[1].SetResult();
        await late;
    }

    [Fact]
    public async Task A_failed_write_fails_its_callers_and_the_next_request_writes_again()
    {
        var failing = queue.WriteAsync();
        writes[0].SetException(new IOException("storage down"));
        await Assert.ThrowsAsync<IOException>(() => failing);

        var retry = queue.WriteAsync();
        Assert.Equal(2, writes.Count);
        writes[1].SetResult();
        await retry;
    }

    [Fact]
    public async Task Latest_is_the_last_write_asked_for_and_completes_when_it_is_stored()
    {
        Assert.True(queue.Latest.IsCompletedSuccessfully);
        var first = queue.WriteAsync();
        var second = queue.WriteAsync();
        Assert.Same(second, queue.Latest);

        writes[0].SetResult();
        await first;
        Assert.False(queue.Latest.IsCompleted);
        writes[1].SetException(new IOException("storage down"));
        await Assert.ThrowsAsync<IOException>(() => queue.Latest);
    }
}
