namespace OrleansMock.GrainInterfaces;

/// <summary>
/// Limits that keep one project from exhausting a silo or a front end. Bound from <c>OrleansMock:Limits</c>;
/// the front end enforces the wire limits, the grains enforce the domain limits.
/// </summary>
public sealed class MockLimits
{
    public const string Section = "OrleansMock:Limits";

    /// <summary>Largest management request body the front end reads, in bytes (413 above it).</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most live test sessions one project may keep (X-Mock-Session); a request starting one more is answered 429.</summary>
    public int MaxSessionsPerProject { get; set; } = 100;

    /// <summary>Minutes a test session lives without a request; then its state, records and journal slice go.</summary>
    public double SessionIdleMinutes { get; set; } = 30;

    /// <summary>
    /// Largest file one multipart write to a resource may carry (413 above). Files count against the resource's
    /// <see cref="MaxResourceBytes"/> and the owner's <see cref="MaxAccountBytes"/>, with its records.
    /// </summary>
    public int MaxUploadBytes { get; set; } = 1024 * 1024;

    /// <summary>Changes of a project's endpoints its history keeps (the oldest go first); 0 keeps none.</summary>
    public int HistorySize { get; set; } = 200;

    /// <summary>Bytes of a project's history at most (the endpoints before and after each change); the oldest entries go first.</summary>
    public long HistoryMaxBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Most teams one user may belong to when creating another (a 422 beyond).</summary>
    public int MaxTeamsPerUser { get; set; } = 20;

    /// <summary>Most projects one account may own.</summary>
    public int MaxProjectsPerUser { get; set; } = 100;

    /// <summary>Most endpoints one project may define.</summary>
    public int MaxEndpointsPerProject { get; set; } = 500;

    /// <summary>
    /// Most bytes a project's endpoint definitions may take in all (bodies, headers, schemas; see
    /// <see cref="EndpointSpec.SizeBytes"/>): a change or an import that would grow past it is refused (422). Keeps an
    /// import whose operations all reference one large example from becoming hundreds of megabytes.
    /// </summary>
    public long MaxProjectBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Largest response body of one endpoint, in bytes of its JSON text.</summary>
    public int MaxResponseBodyBytes { get; set; } = 512 * 1024;

    /// <summary>
    /// Most steps one render of a response template may take: iterations of its loops and calls of its helpers (a
    /// render past it is answered 422). The time it may take is the request's (500 ms for matchers and templates).
    /// </summary>
    public int MaxTemplateSteps { get; set; } = 100_000;

    /// <summary>Most headers one endpoint response may carry.</summary>
    public int MaxResponseHeaders { get; set; } = 50;

    /// <summary>Longest delay an endpoint may ask for, in milliseconds.</summary>
    public int MaxDelayMs { get; set; } = 60_000;

    /// <summary>Most webhooks one response may send (WireMock's serveEventListeners).</summary>
    public int MaxWebhooksPerResponse { get; set; } = 5;

    /// <summary>Webhooks one project's outbox may hold waiting (stored); one more is dropped and logged as such.</summary>
    public int MaxPendingWebhooks { get; set; } = 1000;

    /// <summary>Webhooks of one project sent at the same time; the others wait their turn.</summary>
    public int WebhookConcurrency { get; set; } = 4;

    /// <summary>Webhooks one project sends per minute at most; those over it wait for the next free place.</summary>
    public int WebhooksPerMinute { get; set; } = 600;

    /// <summary>Longest delay a webhook may ask for, in milliseconds (it waits stored, not in memory).</summary>
    public int MaxWebhookDelayMs { get; set; } = 3_600_000;

    /// <summary>Largest rendered webhook body, in bytes (a larger one is not sent, and logged as such).</summary>
    public int MaxWebhookBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long one webhook attempt may take, connection and answer, in milliseconds.</summary>
    public int WebhookTimeoutMs { get; set; } = 10_000;

    /// <summary>Attempts each project's webhook log keeps (newest replace oldest).</summary>
    public int WebhookLogSize { get; set; } = 100;

    /// <summary>Longest path template, in characters.</summary>
    public int MaxPathLength { get; set; } = 1024;

    /// <summary>Resources one project may define.</summary>
    public int MaxResourcesPerProject { get; set; } = 50;

    /// <summary>Records one resource may hold.</summary>
    public int MaxRecordsPerResource { get; set; } = 10_000;

    /// <summary>
    /// Most bytes of records one resource may hold (their JSON in all; a write past it is a 422). Without it, 10,000
    /// records of 64 KB made 640 MB per resource.
    /// </summary>
    public long MaxResourceBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Most bytes of endpoint definitions and resource records one account's projects may hold together (a change
    /// that would grow past it is a 422). Each project's endpoints and each resource reserve their bytes with some
    /// headroom (a quarter, 16 KiB to 1 MiB) from the owner's catalog, so most writes do not ask. Without it, an account
    /// could hold its project limit times each project's and resources' budgets: over 150 GB.
    /// </summary>
    public long MaxAccountBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest record (and largest seed), in bytes of JSON.</summary>
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Mock requests kept in each project's request journal (newest replace oldest; 0 turns it off): held in memory by
    /// the project grain and stored in batches, so they survive a restart.
    /// </summary>
    public int RequestLogSize { get; set; } = 500;

    /// <summary>
    /// Front ends answer static answers from a cache the project grains keep coherent (leases, invalidated before a
    /// change is acknowledged), without a grain call. Off: every mock request goes to its project grain.
    /// </summary>
    public bool AnswerCache { get; set; } = true;

    /// <summary>Live request log streams one user may hold open on one front end (429 above).</summary>
    public int MaxLogStreamsPerUser { get; set; } = 10;

    /// <summary>Live request log streams one front end holds open for all users together (429 above).</summary>
    public int MaxLogStreams { get; set; } = 1000;

    /// <summary>Journal entries older than this many hours are dropped.</summary>
    public int RequestLogMaxAgeHours { get; set; } = 168;

    /// <summary>How much of a mock request's body the request log keeps, in bytes.</summary>
    public int RequestLogBodyBytes { get; set; } = 1024;

    /// <summary>
    /// Name fragments whose header, query, form and JSON member values the request log masks (compared lower-case,
    /// without '-' and '_', as substrings). Setting the list replaces the default.
    /// </summary>
    public string[] RedactNames { get; set; } = [.. SecretNames.Defaults];
}

/// <summary>Which names (of headers, query parameters, cookies, body members) hold secrets whose values are never shown.</summary>
public static class SecretNames
{
    public static readonly IReadOnlyList<string> Defaults =
        ["password", "passwd", "secret", "token", "apikey", "authorization", "cookie", "session", "credential", "privatekey", "signature"];

    /// <summary>A name as it is compared: lower-case, without '-' and '_'.</summary>
    public static string Normalize(string name) => name.ToLowerInvariant().Replace("-", "").Replace("_", "");

    /// <summary>Whether <paramref name="name"/>, normalized, contains one of <paramref name="fragments"/> (normalized; by default <see cref="Defaults"/>).</summary>
    public static bool IsSecret(string name, IEnumerable<string>? fragments = null)
    {
        var normalized = Normalize(name);
        return (fragments ?? Defaults).Any(fragment => fragment.Length > 0 && normalized.Contains(fragment, StringComparison.Ordinal));
    }
}
