using System.Text.Json;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Projects;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Tests.Unit;

public sealed class RequestJournalTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static RequestLogEntry Entry(RequestJournal journal, DateTimeOffset at, string path, int status = 200, string? miss = null) =>
        new(at, "GET", path, null, [], null, status, miss is null ? "e1" : null, miss, 1, Seq: journal.NextSeq(at));

    /// <summary>The stored batches of one journal, as a record store keeps them (ordered by sort, then id), counting reads.</summary>
    private sealed class Stored
    {
        public readonly SortedDictionary<(long Sort, string Id), StoredRecord> Records = new();

        public int Reads { get; private set; }

        public void Apply(IReadOnlyList<RecordWrite> writes)
        {
            foreach (var write in writes)
            {
                if (write.Upsert is { } record)
                {
                    Records[(record.Sort, record.Id)] = record;
                }
                else
                {
                    Assert.Single(Records, r => r.Key.Id == write.DeleteId); // a delete names a stored batch
                    Records.Remove(Records.Keys.Single(k => k.Id == write.DeleteId));
                }
            }
        }

        public Task<IReadOnlyList<StoredRecord>> Read(RecordQuery query)
        {
            Reads++;
            var ordered = query.Descending ? Records.Reverse() : Records;
            var after = query.AfterSort is { } sort ? (sort, query.AfterId ?? "") : ((long, string)?)null;
            var page = ordered.Where(r => after is not { } a || (query.Descending
                    ? r.Key.CompareTo(a) < 0
                    : r.Key.CompareTo(a) > 0))
                .Take(query.Limit).Select(r => r.Value).ToList();
            return Task.FromResult<IReadOnlyList<StoredRecord>>(page);
        }

        /// <summary>Takes the journal's batch, stores it and tells the journal so.</summary>
        public void Flush(RequestJournal journal, DateTimeOffset now)
        {
            if (journal.TakeBatch(now) is { } writes)
            {
                Apply(writes);
                journal.Written();
            }
        }
    }

    private static async Task<string[]> Paths(RequestJournal journal, Stored stored, RequestLogQuery query, DateTimeOffset? now = null) =>
        [.. (await journal.QueryAsync(query, now ?? Start.AddHours(1), stored.Read)).Select(e => e.Path)];

    [Fact]
    public async Task Batches_are_stored_and_batches_beyond_the_retention_count_are_deleted()
    {
        var journal = new RequestJournal(capacity: 3, TimeSpan.FromDays(1));
        var stored = new Stored();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            journal.Add(Entry(journal, Start.AddSeconds(i), $"/{i}"));
            var writes = journal.TakeBatch(Start.AddSeconds(i))!;
            stored.Apply(writes);
            journal.Written();
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
        Assert.Equal(3, stored.Records.Count);
        Assert.Equal(["/3", "/2", "/1"], await Paths(journal, stored, new RequestLogQuery(10)));
    }

    [Fact]
    public void Old_batches_expire_and_a_flood_stores_only_what_retention_keeps()
    {
        var journal = new RequestJournal(capacity: 100, TimeSpan.FromHours(1));
        journal.Add(Entry(journal, Start, "/old"));
        var first = journal.TakeBatch(Start)![0].Upsert!.Id;
        journal.Written();
        for (var i = 0; i < 1000; i++)
        {
            journal.Add(Entry(journal, Start.AddHours(2), $"/{i}"));
        }
        Assert.Equal(100, journal.Pending); // older entries would fall out at once: never written
        var writes = journal.TakeBatch(Start.AddHours(2))!;
        Assert.Equal(first, writes[1].DeleteId);
    }

    [Fact]
    public async Task Memory_keeps_the_newest_entries_and_older_ones_are_read_from_storage()
    {
        var journal = new RequestJournal(capacity: 500, TimeSpan.FromDays(1));
        var stored = new Stored();
        for (var i = 0; i < 300; i++)
        {
            journal.Add(Entry(journal, Start.AddSeconds(i), $"/{i}"));
            if (i % 7 == 6)
            {
                stored.Flush(journal, Start.AddSeconds(i));
            }
        }
        // The newest page and the live log's "what came after" are answered from memory.
        Assert.Equal(["/299", "/298", "/297"], await Paths(journal, stored, new RequestLogQuery(3)));
        var newest = await journal.QueryAsync(new RequestLogQuery(1), Start.AddHours(1), stored.Read);
        var seqOf295 = (await journal.QueryAsync(new RequestLogQuery(5), Start.AddHours(1), stored.Read))[^1].Seq;
        Assert.Equal(["/299", "/298", "/297", "/296"], await Paths(journal, stored, new RequestLogQuery(200, After: seqOf295)));
        Assert.Equal(0, stored.Reads);
        Assert.Equal("/299", newest[0].Path);

        // Everything else comes from the stored batches and the unstored tail, merged in order, each entry once.
        var all = await Paths(journal, stored, new RequestLogQuery(1000));
        Assert.Equal(Enumerable.Range(0, 300).Reverse().Select(i => $"/{i}"), all);
        Assert.True(stored.Reads > 0);
        Assert.Equal(["/100"], await Paths(journal, stored, new RequestLogQuery(10, PathPrefix: "/100")));
        var page = await journal.QueryAsync(new RequestLogQuery(50), Start.AddHours(1), stored.Read);
        Assert.Equal(Enumerable.Range(200, 50).Reverse().Select(i => $"/{i}"), await Paths(journal, stored, new RequestLogQuery(50, Before: page[^1].Seq)));
    }

    [Fact]
    public async Task A_batch_being_written_is_read_once()
    {
        var journal = new RequestJournal(capacity: 100, TimeSpan.FromDays(1));
        var stored = new Stored();
        for (var i = 0; i < 40; i++)
        {
            journal.Add(Entry(journal, Start.AddSeconds(i), $"/{i}"));
        }
        stored.Apply(journal.TakeBatch(Start.AddSeconds(40))!); // stored, but the journal has not heard back yet
        journal.Add(Entry(journal, Start.AddSeconds(41), "/41"));
        var read = await Paths(journal, stored, new RequestLogQuery(100));
        Assert.Equal(Enumerable.Range(0, 40).Reverse().Select(i => $"/{i}").Prepend("/41"), read);
    }

    [Fact]
    public async Task What_was_stored_is_indexed_on_load_and_read_after_what_this_activation_saw()
    {
        var stored = new Stored();
        var earlier = new RequestJournal(10, TimeSpan.FromDays(1));
        earlier.Add(Entry(earlier, Start, "/a"));
        earlier.Add(Entry(earlier, Start.AddSeconds(1), "/b"));
        stored.Flush(earlier, Start);

        var later = new RequestJournal(10, TimeSpan.FromDays(1));
        later.Add(Entry(later, Start.AddSeconds(2), "/c"));
        later.Load(stored.Records.Values);
        Assert.Equal(["/c", "/b", "/a"], await Paths(later, stored, new RequestLogQuery(10)));
        Assert.True(later.NextSeq(Start) > stored.Records.Keys.Max().Sort);

        var page = await later.QueryAsync(new RequestLogQuery(2), Start.AddHours(1), stored.Read);
        Assert.Equal(["/c", "/b"], page.Select(e => e.Path));
        Assert.Equal(["/a"], await Paths(later, stored, new RequestLogQuery(2, Before: page[^1].Seq)));
        Assert.Empty(await Paths(later, stored, new RequestLogQuery(10), Start.AddDays(2))); // past the age limit
    }

    [Fact]
    public async Task Batches_stored_before_their_id_carried_the_count_are_counted_and_deleted_by_their_own_id()
    {
        var stored = new Stored();
        var old = new[] { new RequestLogEntry(Start, "GET", "/old", null, [], null, 200, "e1", null, 1, Seq: Start.UtcTicks) };
        var oldId = Start.UtcTicks.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);
        stored.Apply([RecordWrite.Store(new StoredRecord(oldId, Start.UtcTicks, JsonSerializer.Serialize(old, new JsonSerializerOptions(JsonSerializerDefaults.Web))))]);
        var journal = new RequestJournal(2, TimeSpan.FromDays(1));
        journal.Load(stored.Records.Values);
        Assert.Equal(["/old"], await Paths(journal, stored, new RequestLogQuery(10)));
        journal.Add(Entry(journal, Start.AddSeconds(1), "/new1"));
        journal.Add(Entry(journal, Start.AddSeconds(2), "/new2"));
        var writes = journal.TakeBatch(Start.AddSeconds(2))!;
        Assert.Equal(oldId, writes[1].DeleteId);
        stored.Apply(writes);
        Assert.Single(stored.Records);
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

    [Fact]
    public async Task Replacing_keeps_what_remains_as_the_whole_journal()
    {
        var journal = new RequestJournal(10, TimeSpan.FromDays(1));
        var stored = new Stored();
        journal.Add(Entry(journal, Start, "/a"));
        journal.Add(Entry(journal, Start.AddSeconds(1), "/b"));
        stored.Flush(journal, Start);
        var all = await journal.AllAsync(Start.AddHours(1), stored.Read);
        journal.Replace([.. all.Where(e => e.Path != "/b")]);
        stored.Records.Clear(); // as the grain deletes the stored group
        stored.Flush(journal, Start);
        Assert.Equal(["/a"], await Paths(journal, stored, new RequestLogQuery(10)));
    }

    [Theory]
    [InlineData("GET", null, null, null, 3)]
    [InlineData(null, "/users", null, null, 2)]
    [InlineData(null, null, 404, null, 1)]
    [InlineData(null, null, null, false, 1)]
    public async Task Filters_select_by_method_path_prefix_status_and_matched(string? method, string? prefix, int? status, bool? matched, int expected)
    {
        var journal = new RequestJournal(10, TimeSpan.FromDays(1));
        var stored = new Stored();
        journal.Add(Entry(journal, Start, "/users/1"));
        journal.Add(Entry(journal, Start.AddSeconds(1), "/users/2"));
        journal.Add(Entry(journal, Start.AddSeconds(2), "/nowhere", 404, "no endpoints"));
        Assert.Equal(expected, (await journal.QueryAsync(new RequestLogQuery(10, method, prefix, status, matched), Start.AddHours(1), stored.Read)).Length);
        Assert.Single(await journal.QueryAsync(new RequestLogQuery(10, From: Start.AddSeconds(1), To: Start.AddSeconds(1)), Start.AddHours(1), stored.Read));
    }
}
