using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Proxying;

/// <summary>
/// A recording in progress, kept with the project's definition (so it survives a restart): what it records and what it
/// has made so far. <see cref="Keys"/> maps each distinct request (<see cref="RecordedEndpoints.Key"/>) to its endpoint.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.RecordingState")]
public sealed record RecordingState(
    [property: Id(0)] RecordingSpec Spec,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] int Requests,
    [property: Id(3)] string[] Created,
    [property: Id(4)] string[] Updated,
    [property: Id(5)] string[] Skipped,
    [property: Id(6)] Dictionary<string, string> Keys)
{
    /// <summary>Reasons kept for requests that could not be recorded; the count goes on.</summary>
    public const int MaxSkipped = 50;

    public RecordingStatus Status(bool recording) => new(recording, Spec, StartedAt, Requests, Created, Updated, Skipped, EverStarted: true);

    public RecordingState Skip(string reason) =>
        this with { Requests = Requests + 1, Skipped = Skipped.Length >= MaxSkipped ? Skipped : [.. Skipped, reason] };
}
