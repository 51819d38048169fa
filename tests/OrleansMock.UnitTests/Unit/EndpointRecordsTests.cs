using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Projects;
using OrleansMock.Grains.Storage;
using OrleansMock.Silo.Storage;

namespace OrleansMock.Tests.Unit;

/// <summary>A project's endpoints as records: what a change writes, and that storage reads back the same list in order.</summary>
public sealed class EndpointRecordsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static EndpointInfo Endpoint(string id, int status = 200) =>
        new(id, new EndpointSpec("GET", "/" + id, new ResponseDefinition(status, [], "{}", null, 0)), 1, Now, Now);

    private static async Task<List<EndpointInfo>> StoreAsync(IRecordStore store, EndpointRecords records, List<EndpointInfo> next, int expectedWrites)
    {
        var writes = records.Changes(next);
        Assert.Equal(expectedWrites, writes.Count);
        await store.ApplyAsync(RecordCollection.Endpoints, "p_1", EndpointRecords.Group, writes);
        records.Stored();
        var (_, loaded) = await EndpointRecords.LoadAsync(store, "p_1");
        Assert.Equal(next.Select(e => e.Id), loaded.Select(e => e.Id));
        Assert.Equal(next.Select(Json), loaded.Select(Json)); // the same values, read back through the stored JSON
        return next;
    }

    private static string Json(EndpointInfo endpoint) => System.Text.Json.JsonSerializer.Serialize(endpoint, StoredJson.Options);

    [Fact]
    public async Task A_change_writes_only_the_endpoints_it_touches_and_the_order_survives_storage()
    {
        var store = new MemoryRecordStore();
        var records = new EndpointRecords();
        var list = await StoreAsync(store, records, [Endpoint("a"), Endpoint("b"), Endpoint("c")], expectedWrites: 3);

        list = await StoreAsync(store, records, [.. list, Endpoint("d")], expectedWrites: 1); // one new record
        list = await StoreAsync(store, records, [list[0], Endpoint("b", 404), list[2], list[3]], expectedWrites: 1); // one replaced
        list = await StoreAsync(store, records, [list[0], list[2], list[3]], expectedWrites: 1); // one deleted
        Assert.Empty(records.Changes(list)); // nothing changed, nothing written
        records.Stored();

        // An endpoint put first moves the ones whose place would otherwise break the order.
        list = await StoreAsync(store, records, [Endpoint("z"), .. list], expectedWrites: 2);
        list = await StoreAsync(store, records, [list[0], list[1], Endpoint("m"), list[2], list[3]], expectedWrites: 3);
    }

    [Fact]
    public async Task Writes_not_reported_stored_are_asked_again()
    {
        var store = new MemoryRecordStore();
        var records = new EndpointRecords();
        List<EndpointInfo> list = [Endpoint("a")];
        Assert.Single(records.Changes(list)); // the write failed: Stored() never called
        Assert.Single(records.Changes(list));
        await StoreAsync(store, records, list, expectedWrites: 1);
        Assert.True(records.Holds("a"));
        records.Clear();
        Assert.False(records.Holds("a"));
    }

    [Fact]
    public async Task Many_endpoints_load_across_pages()
    {
        var store = new MemoryRecordStore();
        var records = new EndpointRecords();
        await StoreAsync(store, records, [.. Enumerable.Range(0, 1203).Select(i => Endpoint($"e{i:D4}"))], expectedWrites: 1203);
    }
}
