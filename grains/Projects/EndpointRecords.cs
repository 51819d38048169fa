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

    // What storage holds, in the endpoints' order: each endpoint instance stored (changes make new instances) and its
    // sort key; and each stored id's place in that list.
    private readonly List<(EndpointInfo Endpoint, long Sort)> _stored = [];
    private readonly Dictionary<string, int> _places = new(StringComparer.Ordinal);

    // The last Changes: how much of _stored it kept as it is, and what follows in the next list.
    private (int Kept, List<(EndpointInfo Endpoint, long Sort)> Tail)? _pending;

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
                records._places[endpoint.Id] = records._stored.Count;
                records._stored.Add((endpoint, record.Sort));
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
    public bool Holds(string endpointId) => _places.ContainsKey(endpointId);

    /// <summary>
    /// The writes that make storage hold <paramref name="next"/>: new or changed endpoints (and any whose key must move to
    /// keep the order) stored, the missing ones deleted. Nothing changes here until <see cref="Stored"/> is called.
    /// The part of <paramref name="next"/> that starts like storage (the same instances in the same order: all of it
    /// when a stub is added at the end) is passed over by reference, so a change costs what follows it.
    /// </summary>
    public IReadOnlyList<RecordWrite> Changes(IReadOnlyList<EndpointInfo> next)
    {
        var kept = 0;
        while (kept < next.Count && kept < _stored.Count && ReferenceEquals(next[kept], _stored[kept].Endpoint))
        {
            kept++;
        }
        var writes = new List<RecordWrite>();
        var tail = new List<(EndpointInfo, long)>(next.Count - kept);
        var tailIds = new HashSet<string>(StringComparer.Ordinal);
        var last = kept > 0 ? _stored[kept - 1].Sort : long.MinValue;
        for (var i = kept; i < next.Count; i++)
        {
            var endpoint = next[i];
            if (_places.TryGetValue(endpoint.Id, out var place) && place >= kept && ReferenceEquals(_stored[place].Endpoint, endpoint)
                && _stored[place].Sort > last)
            {
                last = _stored[place].Sort;
            }
            else
            {
                last = last == long.MinValue ? 0 : last + 1;
                writes.Add(RecordWrite.Store(new StoredRecord(endpoint.Id, last, JsonSerializer.Serialize(endpoint, StoredJson.Options))));
            }
            tail.Add((endpoint, last));
            tailIds.Add(endpoint.Id);
        }
        for (var i = kept; i < _stored.Count; i++)
        {
            if (!tailIds.Contains(_stored[i].Endpoint.Id))
            {
                writes.Add(RecordWrite.Delete(_stored[i].Endpoint.Id));
            }
        }
        _pending = (kept, tail);
        return writes;
    }

    /// <summary>The writes from the last <see cref="Changes"/> are durable: they are what storage holds now.</summary>
    public void Stored()
    {
        if (_pending is not { } pending)
        {
            return;
        }
        var (kept, tail) = pending;
        for (var i = kept; i < _stored.Count; i++)
        {
            _places.Remove(_stored[i].Endpoint.Id);
        }
        _stored.RemoveRange(kept, _stored.Count - kept);
        foreach (var entry in tail)
        {
            _places[entry.Endpoint.Id] = _stored.Count;
            _stored.Add(entry);
        }
        _pending = null;
    }

    /// <summary>Storage holds no endpoints (the project was deleted).</summary>
    public void Clear()
    {
        _stored.Clear();
        _places.Clear();
        _pending = null;
    }
}
