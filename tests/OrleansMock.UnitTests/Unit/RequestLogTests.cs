using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Projects;

namespace OrleansMock.Tests.Unit;

public sealed class RequestLogTests
{
    private static RequestLogEntry Entry(int n) => new(DateTimeOffset.UnixEpoch.AddSeconds(n), "GET", $"/{n}", null, [], null, 200, null, null, 0);

    [Fact]
    public void Keeps_the_newest_entries_up_to_its_capacity_newest_first()
    {
        var log = new RequestLog(3);
        for (var i = 1; i <= 5; i++)
        {
            log.Add(Entry(i));
        }
        Assert.Equal(3, log.Count);
        Assert.Equal(["/5", "/4", "/3"], log.Newest(10).Select(e => e.Path));
        Assert.Equal(["/5"], log.Newest(1).Select(e => e.Path));
    }

    [Fact]
    public void Clear_empties_it_and_zero_capacity_keeps_nothing()
    {
        var log = new RequestLog(2);
        log.Add(Entry(1));
        log.Clear();
        Assert.Empty(log.Newest(5));
        var off = new RequestLog(0);
        off.Add(Entry(1));
        Assert.Empty(off.Newest(5));
    }
}
