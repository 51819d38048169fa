using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Projects;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Tests.Unit;

public sealed class RequestJournalTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static RequestLogEntry Entry(RequestJournal journal, DateTimeOffset at, string path, int status = 200, string? miss = null) =>
        new(at, "GET", path, null, [], null, status, miss is null ? "e1" : null, miss, 1, Seq: journal.NextSeq(at));

    [Fact]
    public void Batches_are_stored_and_batches_beyond_the_retention_count_are_deleted()
    {
        var journal = new RequestJournal(capacity: 3, TimeSpan.FromDays(1));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            journal.Add(Entry(journal, Start.AddSeconds(i), $"/{i}"));
            var writes = journal.TakeBatch(Start.AddSeconds(i))!;
            ids.Add(writes[0].Upsert!.Id);
            if (i < 3)
            {
                Assert.Single(writes); // within the count: nothing deleted
            }
            else
            {
                Assert.Equal(ids[0], writes[1].DeleteId); // the oldest batch fell out
            }
        }
        Assert.Null(journal.TakeBatch(Start));
        Assert.Equal(["/3", "/2", "/1"], journal.Newest(10).Select(e => e.Path));
    }

    [Fact]
    public void Old_batches_expire_and_a_flood_stores_only_what_retention_keeps()
    {
        var journal = new RequestJournal(capacity: 100, TimeSpan.FromHours(1));
        journal.Add(Entry(journal, Start, "/old"));
        var first = journal.TakeBatch(Start)![0].Upsert!.Id;
        for (var i = 0; i < 1000; i++)
        {
            journal.Add(Entry(journal, Start.AddHours(2), $"/{i}"));
        }
        Assert.Equal(100, journal.Pending); // older entries would fall out at once: never written
        var writes = journal.TakeBatch(Start.AddHours(2))!;
        Assert.Equal(first, writes[1].DeleteId);
    }

    [Fact]
    public void What_was_stored_loads_before_what_this_activation_saw_and_seqs_keep_increasing()
    {
        var earlier = new RequestJournal(10, TimeSpan.FromDays(1));
        earlier.Add(Entry(earlier, Start, "/a"));
        earlier.Add(Entry(earlier, Start.AddSeconds(1), "/b"));
        var stored = earlier.TakeBatch(Start)![0].Upsert!;

        var later = new RequestJournal(10, TimeSpan.FromDays(1));
        later.Add(Entry(later, Start.AddSeconds(2), "/c"));
        later.Load([new StoredRecord(stored.Id, stored.Sort, stored.Json)], Start.AddSeconds(3));
        Assert.Equal(["/c", "/b", "/a"], later.Newest(10).Select(e => e.Path));
        Assert.True(later.NextSeq(Start) > later.Newest(1)[0].Seq);

        var page = later.Query(new RequestLogQuery(2));
        Assert.Equal(["/c", "/b"], page.Select(e => e.Path));
        Assert.Equal(["/a"], later.Query(new RequestLogQuery(2, Before: page[^1].Seq)).Select(e => e.Path));
    }

    [Fact]
    public void A_batch_that_failed_is_queued_again()
    {
        var journal = new RequestJournal(10, TimeSpan.FromDays(1));
        journal.Add(Entry(journal, Start, "/a"));
        var failed = journal.TakeBatch(Start)!;
        journal.Add(Entry(journal, Start.AddSeconds(1), "/b"));
        journal.Requeue(failed);
        Assert.Equal(2, journal.Pending);
        Assert.Contains("/a", journal.TakeBatch(Start)![0].Upsert!.Json);
    }

    [Theory]
    [InlineData("GET", null, null, null, 3)]
    [InlineData(null, "/users", null, null, 2)]
    [InlineData(null, null, 404, null, 1)]
    [InlineData(null, null, null, false, 1)]
    public void Filters_select_by_method_path_prefix_status_and_matched(string? method, string? prefix, int? status, bool? matched, int expected)
    {
        var journal = new RequestJournal(10, TimeSpan.FromDays(1));
        journal.Add(Entry(journal, Start, "/users/1"));
        journal.Add(Entry(journal, Start.AddSeconds(1), "/users/2"));
        journal.Add(Entry(journal, Start.AddSeconds(2), "/nowhere", 404, "no endpoints"));
        Assert.Equal(expected, journal.Query(new RequestLogQuery(10, method, prefix, status, matched)).Length);
        Assert.Single(journal.Query(new RequestLogQuery(10, From: Start.AddSeconds(1), To: Start.AddSeconds(1))));
    }
}
