using OrleansMock.Grains.Storage;

namespace OrleansMock.Tests.Storage;

/// <summary>The contract every record store must keep; a backend's test class says how to reach its store.</summary>
public abstract class RecordStoreContract
{
    protected abstract IRecordStore Store();

    private static readonly RecordCollection Collection = RecordCollection.Resources;

    private static string NewScope() => "p_" + Guid.NewGuid().ToString("N")[..16];

    [SkippableFact]
    public async Task Insert_get_replace_delete_one_record()
    {
        var store = Store();
        var scope = NewScope();
        Assert.Null(await store.GetAsync(Collection, scope, "posts", "1"));
        Assert.True(await store.InsertAsync(Collection, scope, "posts", new StoredRecord("1", 1, "{\"id\":1,\"title\":\"a\"}")));
        Assert.False(await store.InsertAsync(Collection, scope, "posts", new StoredRecord("1", 2, "{\"id\":1}")));

        var read = await store.GetAsync(Collection, scope, "posts", "1");
        Assert.Equal(1, read!.Sort);
        Assert.Contains("\"title\":\"a\"", read.Json.Replace(" ", ""));

        Assert.True(await store.ReplaceAsync(Collection, scope, "posts", new StoredRecord("1", 1, "{\"id\":1,\"title\":\"b\"}")));
        Assert.Contains("\"title\":\"b\"", (await store.GetAsync(Collection, scope, "posts", "1"))!.Json.Replace(" ", ""));
        Assert.False(await store.ReplaceAsync(Collection, scope, "posts", new StoredRecord("missing", 1, "{}")));

        Assert.True(await store.DeleteAsync(Collection, scope, "posts", "1"));
        Assert.False(await store.DeleteAsync(Collection, scope, "posts", "1"));
        Assert.Null(await store.GetAsync(Collection, scope, "posts", "1"));
    }

    [SkippableFact]
    public async Task Groups_and_scopes_are_separate()
    {
        var store = Store();
        var scope = NewScope();
        await store.InsertAsync(Collection, scope, "posts", new StoredRecord("1", 1, "{}"));
        Assert.Null(await store.GetAsync(Collection, scope, "comments", "1"));
        Assert.Null(await store.GetAsync(Collection, NewScope(), "posts", "1"));
        Assert.Null(await store.GetAsync(RecordCollection.TesterHistory, scope, "posts", "1"));
    }

    [SkippableFact]
    public async Task List_pages_by_sort_then_id_in_both_directions()
    {
        var store = Store();
        var scope = NewScope();
        // Two records share sort 2: the id breaks the tie.
        foreach (var (id, sort) in new[] { ("c", 3L), ("a", 1L), ("b2", 2L), ("b1", 2L), ("d", 4L) })
        {
            Assert.True(await store.InsertAsync(Collection, scope, "g", new StoredRecord(id, sort, $"{{\"id\":\"{id}\"}}")));
        }
        Assert.Equal(["a", "b1", "b2", "c", "d"], await AllAsync(store, scope, descending: false));
        Assert.Equal(["d", "c", "b2", "b1", "a"], await AllAsync(store, scope, descending: true));
    }

    [SkippableFact]
    public async Task Delete_group_removes_only_that_group()
    {
        var store = Store();
        var scope = NewScope();
        for (var i = 0; i < 5; i++)
        {
            await store.InsertAsync(Collection, scope, "g", new StoredRecord($"{i}", i, "{}"));
        }
        await store.InsertAsync(Collection, scope, "other", new StoredRecord("x", 0, "{}"));
        Assert.Equal(5, await store.DeleteGroupAsync(Collection, scope, "g"));
        Assert.Empty(await store.ListAsync(Collection, scope, "g", new RecordQuery(10)));
        Assert.NotNull(await store.GetAsync(Collection, scope, "other", "x"));
    }

    [SkippableFact]
    public async Task A_batch_applies_its_changes_in_order()
    {
        var store = Store();
        var scope = NewScope();
        await store.InsertAsync(Collection, scope, "g", new StoredRecord("old", 1, "{\"v\":0}"));
        await store.ApplyAsync(Collection, scope, "g",
        [
            RecordWrite.Store(new StoredRecord("a", 2, "{\"v\":1}")),
            RecordWrite.Store(new StoredRecord("a", 2, "{\"v\":2}")),
            RecordWrite.Store(new StoredRecord("b", 3, "{\"v\":3}")),
            RecordWrite.Delete("old"),
            RecordWrite.Delete("never-there"),
        ]);
        var all = await store.ListAsync(Collection, scope, "g", new RecordQuery(10));
        Assert.Equal(["a", "b"], all.Select(r => r.Id));
        Assert.Contains("2", all[0].Json);
    }

    [SkippableFact]
    public async Task Concurrent_batches_all_land_each_in_its_order()
    {
        var store = Store();
        var scopes = Enumerable.Range(0, 8).Select(_ => NewScope()).ToArray();
        // 8 writers of 25 batches each, all in flight at once (the embedded store commits what queues up together).
        await Task.WhenAll(scopes.Select(async scope =>
        {
            var writes = Enumerable.Range(0, 25).Select(i => store.ApplyAsync(Collection, scope, "g",
                [RecordWrite.Store(new StoredRecord($"r{i:D2}", i, $"{{\"v\":{i}}}")), RecordWrite.Store(new StoredRecord("last", 100, $"{{\"v\":{i}}}"))]));
            await Task.WhenAll(writes.ToArray());
        }));
        foreach (var scope in scopes)
        {
            var all = await store.ListAsync(Collection, scope, "g", new RecordQuery(100));
            Assert.Equal([.. Enumerable.Range(0, 25).Select(i => $"r{i:D2}"), "last"], all.Select(r => r.Id));
        }
    }

    [SkippableFact]
    public async Task Unicode_json_round_trips()
    {
        var store = Store();
        var scope = NewScope();
        const string json = "{\"title\":\"日本語 ✓ 🚀 \\\"q\\\" \\\\ '; --\"}";
        await store.InsertAsync(Collection, scope, "g", new StoredRecord("é/ü id", 1, json));
        var read = await store.GetAsync(Collection, scope, "g", "é/ü id");
        using var expected = System.Text.Json.JsonDocument.Parse(json);
        using var actual = System.Text.Json.JsonDocument.Parse(read!.Json);
        Assert.Equal(expected.RootElement.GetProperty("title").GetString(), actual.RootElement.GetProperty("title").GetString());
    }

    [SkippableFact]
    public async Task Json_given_as_UTF8_bytes_reads_back_as_its_text()
    {
        // The request journal's batches are written as the UTF-8 bytes the serializer made (no text in between).
        var store = Store();
        var scope = NewScope();
        const string json = "{\"title\":\"日本語 ✓ 🚀 \\\"q\\\"\",\"n\":1}";
        await store.ApplyAsync(Collection, scope, "g", [RecordWrite.Store(new StoredRecord("bytes", 1, System.Text.Encoding.UTF8.GetBytes(json)))]);
        var read = await store.GetAsync(Collection, scope, "g", "bytes");
        using var expected = System.Text.Json.JsonDocument.Parse(json);
        using var actual = System.Text.Json.JsonDocument.Parse(read!.Json);
        Assert.Equal(expected.RootElement.GetProperty("title").GetString(), actual.RootElement.GetProperty("title").GetString());
        Assert.Equal(1, actual.RootElement.GetProperty("n").GetInt32());
    }

    private static async Task<string[]> AllAsync(IRecordStore store, string scope, bool descending)
    {
        var seen = new List<string>();
        long? afterSort = null;
        string? afterId = null;
        while (true)
        {
            var page = await store.ListAsync(Collection, scope, "g", new RecordQuery(2, descending, afterSort, afterId));
            if (page.Count == 0)
            {
                return [.. seen];
            }
            seen.AddRange(page.Select(r => r.Id));
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
    }
}
