using System.Text.Json;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Resources;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Tests.Unit;

/// <summary>json-server's record rules and the batched writer, without a cluster.</summary>
public sealed class ResourceRecordsTests
{
    private static ResourceRecords Records(Func<string, ResourceAnswer?>? check = null) => new("posts", check ?? (_ => null));

    private static JsonElement Json(RecordChange change) => JsonDocument.Parse(change.Result.BodyJson!).RootElement;

    [Fact]
    public void Ids_are_numeric_and_incrementing_until_a_non_numeric_id_appears()
    {
        var records = Records();
        Assert.Equal(1, Json(records.Create("""{"t":"a"}""", null, null, 100)).GetProperty("id").GetInt32());
        Assert.Equal(2, Json(records.Create("""{"t":"b"}""", null, null, 100)).GetProperty("id").GetInt32());
        Assert.Equal("x", Json(records.Create("""{"id":"x"}""", null, null, 100)).GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.String, Json(records.Create("""{"t":"c"}""", null, null, 100)).GetProperty("id").ValueKind);
    }

    [Fact]
    public void A_resource_stops_at_its_bytes_and_deleting_or_shrinking_makes_room()
    {
        var records = new ResourceRecords("posts", _ => null, maxBytes: 1000);
        var body = "{\"t\":\"" + new string('a', 180) + "\"}";
        var created = 0;
        RecordChange change;
        while ((change = records.Create(body, null, null, 10_000)).Result.IsOk)
        {
            created++;
        }
        Assert.Equal(OutcomeKind.LimitExceeded, change.Result.Kind);
        Assert.Contains("MaxResourceBytes", change.Result.Error);
        Assert.Null(change.Write);
        Assert.Equal(5, created);
        Assert.True(records.Bytes <= 1000, records.Bytes.ToString());
        // Growing a record past it is refused; shrinking one, or deleting, always works and makes room.
        Assert.Equal(OutcomeKind.LimitExceeded, records.Replace("1", "{\"t\":\"" + new string('b', 400) + "\"}", merge: false).Result.Kind);
        Assert.True(records.Replace("1", """{"t":"short"}""", merge: false).Result.IsOk);
        Assert.True(records.Delete("2").Result.IsOk);
        Assert.True(records.Create(body, null, null, 10_000).Result.IsOk);
    }

    [Fact]
    public void A_taken_id_is_409_and_changes_nothing()
    {
        var records = Records();
        records.Create("""{"id":5}""", null, null, 100);
        var taken = records.Create("""{"id":5,"t":"again"}""", null, null, 100);
        Assert.Equal(OutcomeKind.Conflict, taken.Result.Kind);
        Assert.Null(taken.Write);
        Assert.Equal(1, records.Count);
    }

    [Fact]
    public void Put_replaces_and_patch_merges_keeping_the_id_and_each_yields_one_store_write()
    {
        var records = Records();
        records.Create("""{"title":"a","views":1}""", null, null, 100);
        var patched = records.Replace("1", """{"views":2,"id":99}""", merge: true);
        // Field order as json-server 0.17.4 writes it: the id last on POST, where the record has it on PATCH, where the body has it on PUT.
        Assert.Equal("""{"title":"a","views":2,"id":1}""", patched.Result.BodyJson);
        Assert.Equal(("1", """{"title":"a","views":2,"id":1}"""), (patched.Write!.Upsert!.Id, patched.Write.Upsert.Json));
        var put = records.Replace("1", """{"title":"b"}""", merge: false);
        Assert.Equal("""{"title":"b","id":1}""", put.Result.BodyJson);
        Assert.Equal("""{"id":1,"title":"c"}""", records.Replace("1", """{"id":7,"title":"c"}""", merge: false).Result.BodyJson);
        Assert.Equal(OutcomeKind.NotFound, records.Replace("7", "{}", merge: true).Result.Kind);
    }

    [Fact]
    public void The_check_refuses_a_record_before_anything_changes()
    {
        var records = Records(json => json.Contains("bad") ? ResourceAnswer.Fail(OutcomeKind.Unprocessable, "no") : null);
        Assert.Equal(OutcomeKind.Unprocessable, records.Create("""{"t":"bad"}""", null, null, 100).Result.Kind);
        Assert.Equal(0, records.Count);
        records.Create("""{"t":"ok"}""", null, null, 100);
        Assert.Equal(OutcomeKind.Unprocessable, records.Replace("1", """{"t":"bad"}""", merge: true).Result.Kind);
        Assert.Equal("""{"t":"ok","id":1}""", records.Find("1")!.Json);
    }

    [Fact]
    public void Children_get_their_parents_id_and_the_record_limit_holds()
    {
        var records = Records();
        Assert.Equal("3", Json(records.Create("{}", "postId", "3", 1)).GetProperty("postId").GetString()); // the URL's text, as json-server stores it
        Assert.Equal(OutcomeKind.LimitExceeded, records.Create("{}", null, null, 1).Result.Kind);
        var deleted = records.Delete("1");
        Assert.Equal((OutcomeKind.Ok, "1"), (deleted.Result.Kind, deleted.Write!.DeleteId));
        Assert.Equal(OutcomeKind.NotFound, records.Delete("1").Result.Kind);
    }

    [Fact]
    public async Task The_writer_batches_what_arrives_during_a_flush_and_drain_awaits_it()
    {
        var batches = new List<int>();
        var gate = new TaskCompletionSource();
        var writer = new RecordBatchWriter(async writes => { batches.Add(writes.Length); await gate.Task; }, () => { });
        var first = writer.CommitAsync(RecordWrite.Delete("1"));
        var queued = new[] { writer.CommitAsync(RecordWrite.Delete("2")), writer.CommitAsync(RecordWrite.Delete("3")) };
        var drained = writer.DrainAsync();
        Assert.False(drained.IsCompleted);
        gate.SetResult();
        await drained;
        await Task.WhenAll(queued.Append(first));
        Assert.Equal([1, 2], batches); // the first alone, the two that waited together
    }

    [Fact]
    public async Task A_failed_batch_fails_every_queued_write_and_marks_the_writer_broken()
    {
        var failures = 0;
        var writer = new RecordBatchWriter(_ => Task.FromException(new IOException("disk")), () => failures++);
        await Assert.ThrowsAsync<IOException>(() => writer.CommitAsync(RecordWrite.Delete("1")));
        Assert.True(writer.Broken);
        Assert.Equal(1, failures);
        await writer.DrainAsync();
    }
}
