using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Resources;

/// <summary>
/// The files a resource's records carry (multipart writes): each stored as a record of its own beside the resource's
/// records (group <c>{name}/files</c>, its bytes in base64) and its size in a small record (group <c>{name}/sizes</c>),
/// so an activation counts the bytes without reading them. A record names a file by its <c>url</c>,
/// <c>…/__files/{resource}/{fileId}</c>; the bytes are read from storage each time they are served.
/// </summary>
public sealed partial class ResourceFiles
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private static readonly RecordCollection Collection = RecordCollection.Resources;

    private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);

    /// <summary>The bytes of every file held.</summary>
    public long Bytes { get; private set; }

    private static string FilesGroup(string name) => name + "/files";

    private static string SizesGroup(string name) => name + "/sizes";

    public async Task LoadAsync(IRecordStore store, string scope, string name)
    {
        long? afterSort = null;
        string? afterId = null;
        while (true)
        {
            var page = await store.ListAsync(Collection, scope, SizesGroup(name), new RecordQuery(1000, false, afterSort, afterId));
            foreach (var record in page)
            {
                _sizes[record.Id] = record.Sort;
                Bytes += record.Sort;
            }
            if (page.Count < 1000)
            {
                break;
            }
            (afterSort, afterId) = (page[^1].Sort, page[^1].Id);
        }
    }

    /// <summary>
    /// Stores <paramref name="files"/> and answers the record's body with each file's metadata in its field
    /// (<c>{"filename","contentType","size","url"}</c>; a field with several files, a list of them), and the new file ids.
    /// </summary>
    public async Task<(string Body, string[] Ids)> StoreAsync(IRecordStore store, string scope, string name, UploadedFile[] files, string? bodyJson, string filesUrl)
    {
        var record = (bodyJson is null ? null : JsonNode.Parse(bodyJson) as JsonObject) ?? [];
        var ids = new string[files.Length];
        var data = new List<RecordWrite>();
        var sizes = new List<RecordWrite>();
        foreach (var group in files.Select((file, i) => (file, i)).GroupBy(f => f.file.Field, StringComparer.Ordinal))
        {
            var metadata = new List<JsonNode>();
            foreach (var (file, i) in group)
            {
                var id = ids[i] = "f_" + RandomNumberGenerator.GetString(Alphabet, 16);
                data.Add(RecordWrite.Store(new StoredRecord(id, file.Bytes.Length, JsonSerializer.Serialize(new StoredBytes(file.Filename, file.ContentType, file.Bytes)))));
                sizes.Add(RecordWrite.Store(new StoredRecord(id, file.Bytes.Length, "{}")));
                metadata.Add(new JsonObject
                {
                    ["filename"] = file.Filename, ["contentType"] = file.ContentType, ["size"] = file.Bytes.Length,
                    ["url"] = $"{filesUrl.TrimEnd('/')}/__files/{Uri.EscapeDataString(name)}/{id}",
                });
            }
            record[group.Key] = metadata.Count == 1 ? metadata[0] : new JsonArray([.. metadata]);
        }
        await store.ApplyAsync(Collection, scope, FilesGroup(name), data);
        await store.ApplyAsync(Collection, scope, SizesGroup(name), sizes);
        foreach (var (write, i) in sizes.Select((w, i) => (w, i)))
        {
            _sizes[ids[i]] = write.Upsert!.Sort;
            Bytes += write.Upsert.Sort;
        }
        return (record.ToJsonString(JsonText.Options), ids);
    }

    public async Task<StoredFile?> GetAsync(IRecordStore store, string scope, string name, string fileId)
    {
        if (!_sizes.ContainsKey(fileId) || await store.GetAsync(Collection, scope, FilesGroup(name), fileId) is not { } record)
        {
            return null;
        }
        var stored = JsonSerializer.Deserialize<StoredBytes>(record.Json)!;
        return new StoredFile(stored.Filename, stored.ContentType, stored.Bytes);
    }

    public async Task DeleteAsync(IRecordStore store, string scope, string name, IReadOnlyCollection<string> fileIds)
    {
        var held = fileIds.Where(_sizes.ContainsKey).ToArray();
        if (held.Length == 0)
        {
            return;
        }
        await store.ApplyAsync(Collection, scope, FilesGroup(name), [.. held.Select(RecordWrite.Delete)]);
        await store.ApplyAsync(Collection, scope, SizesGroup(name), [.. held.Select(RecordWrite.Delete)]);
        foreach (var id in held)
        {
            Bytes -= _sizes[id];
            _sizes.Remove(id);
        }
    }

    public async Task DropAsync(IRecordStore store, string scope, string name)
    {
        await store.DeleteGroupAsync(Collection, scope, FilesGroup(name));
        await store.DeleteGroupAsync(Collection, scope, SizesGroup(name));
        _sizes.Clear();
        Bytes = 0;
    }

    /// <summary>The ids of the files of resource <paramref name="name"/> a record's JSON names.</summary>
    public static string[] Named(string json, string name) =>
        [.. FileUrl().Matches(json).Where(m => Uri.UnescapeDataString(m.Groups[1].Value) == name).Select(m => m.Groups[2].Value).Distinct()];

    [GeneratedRegex(@"/__files/([^/""]+)/(f_[0-9a-z]{16})")]
    private static partial Regex FileUrl();

    private sealed record StoredBytes(string Filename, string ContentType, byte[] Bytes);
}
