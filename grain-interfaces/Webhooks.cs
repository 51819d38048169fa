using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// A request sent after a response answers (WireMock's <c>webhook</c> serve-event listener): every text field is a
/// template over the triggering request, named <c>originalRequest</c> (and <c>parameters</c>, the listener's other
/// fields), rendered when the response answers; sent after <see cref="Delay"/>. <see cref="Body"/> is text, or base64
/// when <see cref="Base64Body"/>; it goes only with POST, PUT and PATCH, as WireMock sends it. <see cref="ParametersJson"/>
/// is the listener's parameters object as given (for <c>{{parameters.*}}</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.WebhookSpec")]
public sealed record WebhookSpec(
    [property: Id(0)] string Method,
    [property: Id(1)] string Url,
    [property: Id(2)] KeyValuePair<string, string>[] Headers,
    [property: Id(3)] string? Body = null,
    [property: Id(4)] bool Base64Body = false,
    [property: Id(5)] DelaySpec? Delay = null,
    [property: Id(6)] string? ParametersJson = null)
{
    /// <summary>About how many bytes the definition takes, counted with its endpoint.</summary>
    public long SizeBytes() => 64 + Method.Length + Url.Length + (Body?.Length ?? 0) + (ParametersJson?.Length ?? 0)
        + Headers.Sum(h => h.Key.Length + h.Value.Length);
}

/// <summary>One rendered webhook, waiting for its time (<see cref="Due"/>) in the project's outbox.</summary>
/// <param name="RequestSeq">The journal entry of the request that triggered it (its <c>Seq</c>).</param>
[GenerateSerializer, Immutable, Alias("om.WebhookCall")]
public sealed record WebhookCall(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset Due,
    [property: Id(2)] string Method,
    [property: Id(3)] string Url,
    [property: Id(4)] KeyValuePair<string, string>[] Headers,
    [property: Id(5)] byte[]? Body,
    [property: Id(6)] string EndpointId,
    [property: Id(7)] long RequestSeq,
    [property: Id(8)] DateTimeOffset Triggered);

/// <summary>
/// What became of one webhook: the request as sent (secret header values masked, the body cut to the journal's
/// preview size), and the target's status, or why there is none (<see cref="Error"/>: the address guard refused it, the
/// connection failed, the template failed, the outbox was full).
/// </summary>
[GenerateSerializer, Immutable, Alias("om.WebhookAttempt")]
public sealed record WebhookAttempt(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string EndpointId,
    [property: Id(3)] long RequestSeq,
    [property: Id(4)] string Method,
    [property: Id(5)] string Url,
    [property: Id(6)] KeyValuePair<string, string>[] Headers,
    [property: Id(7)] string? BodyPreview,
    [property: Id(8)] int? Status,
    [property: Id(9)] string? Error,
    [property: Id(10)] double DurationMs,
    [property: Id(11)] KeyValuePair<string, string>[]? ResponseHeaders = null,
    [property: Id(12)] string? ResponseBodyPreview = null);

/// <summary>A project's webhooks: those waiting (soonest first) and the latest attempts (newest first).</summary>
[GenerateSerializer, Immutable, Alias("om.WebhookLog")]
public sealed record WebhookLog(
    [property: Id(0)] WebhookCall[] Pending,
    [property: Id(1)] WebhookAttempt[] Attempts);

/// <summary>
/// One project's webhook outbox, keyed by project id. A call is stored before its delay starts and deleted when its
/// attempt is done, so a webhook due when the silo holding it dies is sent by another (at least once: an attempt cut
/// short by the crash is made again). Sends are limited per project (concurrency, rate); each attempt is logged.
/// </summary>
[Alias("om.IWebhookOutboxGrain")]
public interface IWebhookOutboxGrain : IGrainWithStringKey
{
    /// <summary>Stores the calls and sends each when due. One-way: the mock answer does not wait for it.</summary>
    [OneWay, Alias("Enqueue")]
    Task EnqueueAsync(WebhookCall[] calls, WebhookAttempt[] failures);

    /// <summary>Activates the outbox (after its silo died), which resumes what it stored.</summary>
    [Alias("Wake")]
    Task WakeAsync();

    [ReadOnly, Alias("GetLog")]
    Task<WebhookLog> GetLogAsync(int limit);

    /// <summary>Drops what waits and what was logged (the project was deleted, or its journal reset).</summary>
    [Alias("Clear")]
    Task ClearAsync();
}

/// <summary>
/// Which projects' outboxes hold calls (keyed <see cref="Key"/>): each silo wakes them every few seconds, so an outbox
/// whose silo died resumes on another without waiting for a request.
/// </summary>
[Alias("om.IWebhookIndexGrain")]
public interface IWebhookIndexGrain : IGrainWithStringKey
{
    public const string Key = "all";

    [Alias("Set")]
    Task SetAsync(string projectId, bool pending);

    /// <summary>Wakes every outbox that holds calls; answers how many.</summary>
    [Alias("WakeAll")]
    Task<int> WakeAllAsync();
}
