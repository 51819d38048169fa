using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// Test sessions: a mock request may name a session (<see cref="Header"/>, or <c>/m/{project}~{session}/...</c>), and
/// then sees the project's definitions with its own scenario states, sequence positions, resource records and slice of
/// the request journal. A session's data lives under its scope, <c>{projectId}~{session}</c>: its state grain
/// (<see cref="IMockSessionGrain"/>) and its resource grains (<c>{scope}/{resource}</c>) are keyed by it.
/// </summary>
public static class MockSessions
{
    public const string Header = "X-Mock-Session";

    /// <summary>Between the project and the session in a mock URL (<c>/m/shop~ci-42/...</c>) and in a session's scope.</summary>
    public const char Separator = '~';

    public const int MaxLength = 64;

    /// <summary>1–64 characters of <c>A–Z a–z 0–9 . _ -</c>.</summary>
    public static bool IsValid(string? session)
    {
        if (session is not { Length: > 0 and <= MaxLength })
        {
            return false;
        }
        foreach (var c in session)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>What a refused session id is told.</summary>
    public static string Rule(string where) =>
        $"{where} names a test session: 1 to {MaxLength} characters of A-Z a-z 0-9 . _ -";

    /// <summary>The key of a session's data: <c>{projectId}~{session}</c>.</summary>
    public static string Scope(string projectId, string session) => projectId + Separator + session;

    /// <summary>The project of a data scope (a project id, or a session's scope).</summary>
    public static string ProjectOf(string scope) => scope.IndexOf(Separator) is var at and >= 0 ? scope[..at] : scope;

    /// <summary>The session of a data scope; null for the project's own.</summary>
    public static string? SessionOf(string scope) => scope.IndexOf(Separator) is var at and >= 0 ? scope[(at + 1)..] : null;
}

/// <summary>
/// What a session's traffic changed: scenario states and sequence positions (only those that moved; everything else
/// is where it starts). Sent with each of the session's requests to the project grain, which answers with the new state.
/// </summary>
[GenerateSerializer, Immutable, Alias("om.SessionState")]
public sealed record SessionState(
    [property: Id(0)] KeyValuePair<string, string>[] Scenarios,
    [property: Id(1)] KeyValuePair<string, long>[] Positions)
{
    public static readonly SessionState Empty = new([], []);
}

/// <summary>The project grain's answer to a session's request: the result, and the session's state when it changed.</summary>
[GenerateSerializer, Immutable, Alias("om.SessionAnswer")]
public sealed record SessionAnswer([property: Id(0)] MockResult Result, [property: Id(1)] SessionState? State = null);

/// <summary>A live test session of a project.</summary>
[GenerateSerializer, Immutable, Alias("om.SessionInfo")]
public sealed record SessionInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset LastUsedAt,
    [property: Id(3)] DateTimeOffset ExpiresAt);

/// <summary>
/// One test session's state, keyed by its scope (<see cref="MockSessions.Scope"/>). Its requests run one at a time, so
/// its scenario steps and sequence positions are exact across front ends; the answers come from the project grain,
/// which holds the definitions.
/// </summary>
[Alias("om.IMockSessionGrain")]
public interface IMockSessionGrain : IGrainWithStringKey
{
    /// <summary>Answers one mock request of the session (see <see cref="IMockProjectGrain.HandleAsync"/>).</summary>
    [Alias("Handle")]
    [return: Immutable]
    ValueTask<MockResult> HandleAsync(MockRequest request, ClientLink client = default, CancellationToken cancellation = default);

    /// <summary>The project's scenarios with the states this session has them in.</summary>
    [Alias("GetScenarios")]
    Task<Outcome<ScenarioInfo[]>> GetScenariosAsync(string caller);

    [Alias("ResetScenarios")]
    Task<Outcome<bool>> ResetScenariosAsync(string caller);

    [Alias("SetScenarioState")]
    Task<Outcome<ScenarioInfo>> SetScenarioStateAsync(string caller, string name, string state);

    /// <summary>
    /// Ends the session (deleted or expired; the project has forgotten it): its state goes, and its records of
    /// <paramref name="resources"/>. Interleaves, so the project grain may wait for it while a request of the session
    /// waits for the project.
    /// </summary>
    [AlwaysInterleave, Alias("End")]
    Task EndAsync(string[] resources);
}
