using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Proxying;

namespace OrleansMock.Grains.Projects;

/// <summary>Recording: a real API's answers become endpoints; and one real exchange (from the tester's history) becomes one.</summary>
public sealed partial class ProjectDefinition
{
    private static readonly string[] BodyModes = ["json", "text"];

    public RecordingState? Recording { get; }

    public static RecordingStatus NotRecording => new(false, null, null, 0, [], [], []);

    public Change<RecordingStatus> StartRecording(RecordingSpec spec, DateTimeOffset now)
    {
        if (Recording is not null)
        {
            return Change<RecordingStatus>.Fail(OutcomeKind.Conflict,
                $"project {ProjectId} is already recording {Recording.Spec.TargetBaseUrl}; stop that recording first");
        }
        if (ProxyRules.CheckBaseUrl(spec.TargetBaseUrl, "targetBaseUrl") is { } error)
        {
            return Change<RecordingStatus>.Fail(OutcomeKind.Invalid, error);
        }
        if (spec.Match.Body is { } body && !BodyModes.Contains(body))
        {
            return Change<RecordingStatus>.Fail(OutcomeKind.Invalid, $"match.body '{body}' is not one of json, text (or leave it out to ignore bodies)");
        }
        if ((spec.Match.Headers?.Length ?? 0) > ProxyRules.MaxHeaders || (spec.KeepHeaders?.Length ?? 0) > ProxyRules.MaxHeaders)
        {
            return Change<RecordingStatus>.Fail(OutcomeKind.Invalid, $"match.headers and keepHeaders may name at most {ProxyRules.MaxHeaders} headers each");
        }
        var recording = new RecordingState(spec, now, 0, [], [], [], new Dictionary<string, string>(StringComparer.Ordinal));
        return new(Outcome<RecordingStatus>.Ok(recording.Status(true)), With(recording));
    }

    public Change<RecordingStatus> StopRecording() =>
        Recording is null
            ? Change<RecordingStatus>.Fail(OutcomeKind.Conflict, $"project {ProjectId} is not recording; start a recording with POST .../recordings")
            : new(Outcome<RecordingStatus>.Ok(Recording.Status(false)), With((RecordingState?)null));

    /// <summary>
    /// Records one exchange: a new request becomes an endpoint; a request seen before is left alone, or with
    /// <see cref="RecordingSpec.Sequence"/> a different answer is added to its endpoint's sequence.
    /// </summary>
    public Change<bool> Record(RecordedExchange exchange, MockLimits limits, Func<string> newId, DateTimeOffset now)
    {
        if (Recording is not { } recording)
        {
            return Change<bool>.Fail(OutcomeKind.Conflict, "not recording");
        }
        var spec = recording.Spec;
        var key = RecordedEndpoints.Key(exchange, spec.Match);
        var what = $"{exchange.Method} {exchange.Path}";
        if (recording.Keys.TryGetValue(key, out var endpointId) && GetEndpoint(endpointId).Value is { } existing)
        {
            var answer = RecordedEndpoints.ToResponse(exchange, spec.KeepHeaders);
            var responses = existing.Spec.AllResponses;
            if (!spec.Sequence || responses.Any(r => RecordedEndpoints.SameAnswer(r, answer)))
            {
                return new(Outcome<bool>.Ok(false), With(recording with { Requests = recording.Requests + 1 }));
            }
            var sequence = existing.Spec with { Responses = [.. responses, answer], ResponseMode = ResponseMode.Sequence };
            var replaced = ReplaceEndpoint(endpointId, sequence, null, limits, now);
            var updated = replaced.Next is null ? recording.Skip($"{what}: {replaced.Outcome.Error}")
                : recording with { Requests = recording.Requests + 1, Updated = recording.Updated.Contains(endpointId) ? recording.Updated : [.. recording.Updated, endpointId] };
            return new(Outcome<bool>.Ok(replaced.Next is not null), (replaced.Next ?? this).With(updated));
        }
        var added = AddEndpoint(RecordedEndpoints.ToSpec(exchange, spec.Match, spec.KeepHeaders), limits, newId(), now);
        if (added.Next is null)
        {
            return new(Outcome<bool>.Ok(false), With(recording.Skip($"{what}: {added.Outcome.Error}")));
        }
        var id = added.Outcome.Value!.Id;
        var keys = new Dictionary<string, string>(recording.Keys, StringComparer.Ordinal) { [key] = id };
        return new(Outcome<bool>.Ok(true), added.Next.With(recording with { Requests = recording.Requests + 1, Created = [.. recording.Created, id], Keys = keys }));
    }

    /// <summary>One real exchange (a tester history entry) as a new endpoint.</summary>
    public Change<EndpointInfo> AddFromExchange(RecordedExchange exchange, RecordMatch match, string[]? keepHeaders, MockLimits limits, string newId, DateTimeOffset now)
    {
        if (match.Body is { } body && !BodyModes.Contains(body))
        {
            return Change<EndpointInfo>.Fail(OutcomeKind.Invalid, $"match.body '{body}' is not one of json, text (or leave it out to ignore bodies)");
        }
        return AddEndpoint(RecordedEndpoints.ToSpec(exchange, match, keepHeaders), limits, newId, now);
    }
}
