using System.Text.Json;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// A project's endpoints stored one record each (scope = project id), so a change costs the endpoints it touches, not
/// the whole project: adding the thousandth stub writes one small record. A record's sort key keeps the endpoints'
/// order; keys only grow along the list, and an endpoint is rewritten only when it changed or its key would break that.
/// Plain class: the grain loads it, asks it for the writes that take storage from one endpoint list to the next, and
/// tells it when they are stored.
/// </summary>
public sealed class EndpointRecords
{
    public const string Group = "endpoints";

    // Of each stored endpoint: the instance stored (changes make new instances) and its sort key.
    private Dictionary<string, (EndpointInfo Endpoint, long Sort)> _stored = new(StringComparer.Ordinal);
    private Dictionary<string, (EndpointInfo Endpoint, long Sort)>? _pending;

    /// <summary>Reads every endpoint record of the project in order.</summary>
    public static async Task<(EndpointRecords Records, List<EndpointInfo> Endpoints)> LoadAsync(IRecordStore store, string projectId)
    {
        var records = new EndpointRecords();
        var endpoints = new List<EndpointInfo>();
        (long Sort, string Id)? after = null;
        while (true)
        {
            var page = await store.ListAsync(RecordCollection.Endpoints, projectId, Group, new RecordQuery(500, false, after?.Sort, after?.Id));
            foreach (var record in page)
            {
                var endpoint = JsonSerializer.Deserialize<EndpointInfo>(record.Json, StoredJson.Options)
                    ?? throw new JsonException($"endpoint record {record.Id} of project {projectId} is the JSON literal null");
                records._stored[endpoint.Id] = (endpoint, record.Sort);
                endpoints.Add(endpoint);
            }
            if (page.Count < 500)
            {
                return (records, endpoints);
            }
            after = (page[^1].Sort, page[^1].Id);
        }
    }

    /// <summary>Whether an endpoint is stored as a record (not only in the project's state, as before records existed).</summary>
    public bool Holds(string endpointId) => _stored.ContainsKey(endpointId);

    /// <summary>
    /// The writes that make storage hold <paramref name="next"/>: new or changed endpoints (and any whose key must move to
    /// keep the order) stored, the missing ones deleted. Nothing changes here until <see cref="Stored"/> is called.
    /// </summary>
    public IReadOnlyList<RecordWrite> Changes(IReadOnlyList<EndpointInfo> next)
    {
        var writes = new List<RecordWrite>();
        var pending = new Dictionary<string, (EndpointInfo, long)>(next.Count, StringComparer.Ordinal);
        var last = long.MinValue;
        foreach (var endpoint in next)
        {
            if (_stored.TryGetValue(endpoint.Id, out var stored) && ReferenceEquals(stored.Endpoint, endpoint) && stored.Sort > last)
            {
                last = stored.Sort;
            }
            else
            {
                last = last == long.MinValue ? 0 : last + 1;
                writes.Add(RecordWrite.Store(new StoredRecord(endpoint.Id, last, JsonSerializer.Serialize(endpoint, StoredJson.Options))));
            }
            pending[endpoint.Id] = (endpoint, last);
        }
        writes.AddRange(_stored.Keys.Where(id => !pending.ContainsKey(id)).Select(RecordWrite.Delete));
        _pending = pending;
        return writes;
    }

    /// <summary>The writes from the last <see cref="Changes"/> are durable: they are what storage holds now.</summary>
    public void Stored()
    {
        _stored = _pending ?? _stored;
        _pending = null;
    }

    /// <summary>Storage holds no endpoints (the project was deleted).</summary>
    public void Clear()
    {
        _stored.Clear();
        _pending = null;
    }
}
