using System.Text.Json;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// A project's live test sessions: when each started and was last used, within the project's cap. Stored one record
/// per session (group <see cref="Group"/> of the journal collection), written in batches off the hot path: a new
/// session at once with the next flush, the time it was last used when it moved by a minute or more (the idle
/// timeout's grain), a deletion with the next flush.
/// </summary>
public sealed class SessionRegistry(TimeSpan idle)
{
    public const string Group = "sessions";

    private static readonly TimeSpan StoreEvery = TimeSpan.FromMinutes(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    private sealed class Entry(DateTimeOffset createdAt, DateTimeOffset lastUsedAt)
    {
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public DateTimeOffset LastUsedAt { get; set; } = lastUsedAt;
        public DateTimeOffset StoredLastUsedAt { get; set; } = lastUsedAt;
    }

    private sealed record Stored(DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt);

    public int Count => _sessions.Count;

    /// <summary>Whether there are changes to store.</summary>
    public bool Pending => _changed.Count > 0;

    /// <summary>
    /// Marks a request of <paramref name="session"/> at <paramref name="now"/>; a session not yet known starts, unless the
    /// project already has <paramref name="max"/> (false).
    /// </summary>
    public bool Use(string session, DateTimeOffset now, int max)
    {
        if (_sessions.TryGetValue(session, out var entry))
        {
            entry.LastUsedAt = now;
            if (now - entry.StoredLastUsedAt >= StoreEvery)
            {
                _changed.Add(session);
            }
            return true;
        }
        if (_sessions.Count >= max)
        {
            return false;
        }
        _sessions[session] = new Entry(now, now);
        _changed.Add(session);
        return true;
    }

    public bool Contains(string session) => _sessions.ContainsKey(session);

    /// <summary>Forgets a session (stored with the next flush).</summary>
    public void Remove(string session)
    {
        _sessions.Remove(session);
        _changed.Add(session);
    }

    /// <summary>The sessions unused for the idle time at <paramref name="now"/>.</summary>
    public string[] Expired(DateTimeOffset now) => [.. _sessions.Where(s => s.Value.LastUsedAt + idle <= now).Select(s => s.Key)];

    public IEnumerable<string> Ids => _sessions.Keys;

    /// <summary>The live sessions, most recently used first.</summary>
    public SessionInfo[] List() =>
        [.. _sessions.OrderByDescending(s => s.Value.LastUsedAt).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new SessionInfo(s.Key, s.Value.CreatedAt, s.Value.LastUsedAt, s.Value.LastUsedAt + idle))];

    /// <summary>The writes that store what changed; the caller stores them, or hands them back with <see cref="Failed"/>.</summary>
    public IReadOnlyList<RecordWrite> TakeWrites()
    {
        var writes = new List<RecordWrite>(_changed.Count);
        foreach (var id in _changed)
        {
            if (_sessions.TryGetValue(id, out var entry))
            {
                entry.StoredLastUsedAt = entry.LastUsedAt;
                writes.Add(RecordWrite.Store(new StoredRecord(id, entry.CreatedAt.UtcTicks,
                    JsonSerializer.Serialize(new Stored(entry.CreatedAt, entry.LastUsedAt), Json))));
            }
            else
            {
                writes.Add(RecordWrite.Delete(id));
            }
        }
        _changed.Clear();
        return writes;
    }

    /// <summary>Writes that could not be stored: their sessions are stored with the next flush.</summary>
    public void Failed(IReadOnlyList<RecordWrite> writes)
    {
        foreach (var write in writes)
        {
            _changed.Add(write.Upsert?.Id ?? write.DeleteId!);
        }
    }

    /// <summary>What an earlier activation stored.</summary>
    public void Load(IEnumerable<StoredRecord> records)
    {
        foreach (var record in records)
        {
            if (!_sessions.ContainsKey(record.Id) && JsonSerializer.Deserialize<Stored>(record.Json, Json) is { } stored)
            {
                _sessions[record.Id] = new Entry(stored.CreatedAt, stored.LastUsedAt);
            }
        }
    }
}
