using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>API tester settings (<c>OrleansMock:Tester</c>).</summary>
public sealed class TesterOptions
{
    public const string Section = "OrleansMock:Tester";

    /// <summary>Hosts or CIDR ranges the tester may reach even though they are private or local (e.g. "127.0.0.1/32").</summary>
    public string[] Allow { get; set; } = [];

    public int MaxTimeoutMs { get; set; } = 30_000;
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;
    public int MaxResponseBodyBytes { get; set; } = 2 * 1024 * 1024;
    public int MaxRedirects { get; set; } = 10;
    public int MaxConcurrentPerUser { get; set; } = 4;

    /// <summary>History entries kept per user; the oldest go first.</summary>
    public int HistoryMaxEntries { get; set; } = 500;

    /// <summary>History entries older than this are dropped.</summary>
    public int HistoryMaxAgeDays { get; set; } = 30;

    /// <summary>Bytes one user's collections and environments may take in all (422 above; also bounds what a change rewrites).</summary>
    public long WorkspaceMaxBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Bytes one user's history may keep in storage (requests and responses as stored); the oldest go first.</summary>
    public long HistoryMaxBytes { get; set; } = 32L * 1024 * 1024;
}

/// <summary>One send, as the history keeps it: a summary, and the full request and response as JSON.</summary>
[GenerateSerializer, Immutable, Alias("om.TesterHistoryEntry")]
public sealed record TesterHistoryEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Method,
    [property: Id(3)] string Url,
    [property: Id(4)] int? Status,
    [property: Id(5)] double TotalMs,
    [property: Id(6)] string Json);

[GenerateSerializer, Immutable, Alias("om.TesterHistoryPage")]
public sealed record TesterHistoryPage(
    [property: Id(0)] TesterHistoryEntry[] Items,
    [property: Id(1)] string? NextCursor);

/// <summary>One user's tester history, keyed by user id; each entry stored as one record.</summary>
[Alias("om.ITesterHistoryGrain")]
public interface ITesterHistoryGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task<TesterHistoryEntry> AddAsync(string method, string url, int? status, double totalMs, string json);

    /// <summary>
    /// Newest first, as summaries (their <see cref="TesterHistoryEntry.Json"/> is empty: <see cref="GetAsync"/> has it);
    /// <paramref name="before"/> is the cursor of the previous page. Invalid for a foreign cursor.
    /// </summary>
    [ReadOnly, Alias("List")]
    Task<Outcome<TesterHistoryPage>> ListAsync(string? before, int limit);

    [ReadOnly, Alias("Get")]
    Task<TesterHistoryEntry?> GetAsync(string id);

    [Alias("Delete")]
    Task<bool> DeleteAsync(string id);

    [Alias("Clear")]
    Task ClearAsync();
}
