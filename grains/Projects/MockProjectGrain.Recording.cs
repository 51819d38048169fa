using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>Recording and endpoints made from real exchanges: the definition computes each change, this commits it.</summary>
public sealed partial class MockProjectGrain
{
    public Task<Outcome<RecordingStatus>> StartRecordingAsync(string caller, RecordingSpec spec) =>
        ChangeAsync(caller, d => d.StartRecording(spec, time.GetUtcNow()));

    public Task<Outcome<RecordingStatus>> StopRecordingAsync(string caller) => ChangeAsync(caller, d => d.StopRecording());

    public Task<Outcome<RecordingStatus>> GetRecordingAsync(string caller) =>
        Read(caller, d => Outcome<RecordingStatus>.Ok(d.Recording?.Status(true) ?? ProjectDefinition.NotRecording with { EverStarted = state.State.RecordedBefore }));

    public async Task RecordAsync(RecordedExchange exchange)
    {
        if (Definition is { Recording: not null, Project: { } project })
        {
            await ChangeAsync(project.Owner, d => d.Record(exchange, limits.Value, ProjectIds.NewEndpointId, time.GetUtcNow()));
        }
    }

    public Task<Outcome<EndpointInfo>> AddFromExchangeAsync(string caller, RecordedExchange exchange, RecordMatch match, string[]? keepHeaders) =>
        ChangeAsync(caller, d => d.AddFromExchange(exchange, match, keepHeaders, limits.Value, ProjectIds.NewEndpointId(), time.GetUtcNow()));
}
