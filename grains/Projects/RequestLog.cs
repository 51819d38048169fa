using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>A fixed-size ring of the latest entries: adding is O(1) and allocation-free once full.</summary>
public sealed class RequestLog(int capacity)
{
    private readonly RequestLogEntry?[] _entries = new RequestLogEntry?[Math.Max(0, capacity)];
    private int _next;
    private int _count;

    public int Count => _count;

    public void Add(RequestLogEntry entry)
    {
        if (_entries.Length == 0)
        {
            return;
        }
        _entries[_next] = entry;
        _next = (_next + 1) % _entries.Length;
        _count = Math.Min(_count + 1, _entries.Length);
    }

    /// <summary>Up to <paramref name="limit"/> entries, newest first.</summary>
    public RequestLogEntry[] Newest(int limit)
    {
        var take = Math.Min(Math.Max(0, limit), _count);
        var result = new RequestLogEntry[take];
        for (var i = 0; i < take; i++)
        {
            result[i] = _entries[(_next - 1 - i + _entries.Length) % _entries.Length]!;
        }
        return result;
    }

    /// <summary>Drops the entries <paramref name="remove"/> picks; the others keep their order.</summary>
    public void RemoveWhere(Func<RequestLogEntry, bool> remove)
    {
        var kept = Newest(_count).Where(e => !remove(e)).Reverse().ToArray();
        Clear();
        foreach (var entry in kept)
        {
            Add(entry);
        }
    }

    public void Clear()
    {
        Array.Clear(_entries);
        _next = 0;
        _count = 0;
    }
}
