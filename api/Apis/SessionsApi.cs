using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Apis;

/// <summary>One live test session of a project (X-Mock-Session); it expires at <see cref="ExpiresAt"/> unless used again.</summary>
public sealed record SessionResponse(string Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// A project's test sessions (<see cref="MockSessions"/>): listed, and deleted, which resets them (a later request
/// starts the session afresh from the project's definitions and seeds). The journal, the scenarios and the WireMock
/// admin API take a session too (<c>?session=</c>, or the header on the admin API).
/// </summary>
public static class SessionsApi
{
    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapProjectArea("/sessions", "Test sessions");
        group.MapGet("/", async (ProjectScope project) =>
            {
                var sessions = await project.Grain.ListSessionsAsync(project.Caller);
                return sessions.IsOk
                    ? TypedResults.Ok(new { items = sessions.Value!.Select(s => new SessionResponse(s.Id, s.CreatedAt, s.LastUsedAt, s.ExpiresAt)) })
                    : Problems.From(sessions);
            })
            .WithName("ListSessions").WithSummary("The project's live test sessions (X-Mock-Session), most recently used first")
            .Produces<SessionResponse[]>();
        group.MapDelete("/{session}", async (ProjectScope project, string session) =>
            {
                if (Refused(session) is { } wrongSession)
                {
                    return wrongSession;
                }
                var deleted = await project.Grain.DeleteSessionAsync(project.Caller, session);
                return deleted.IsOk ? TypedResults.NoContent() : Problems.From(deleted);
            })
            .WithName("DeleteSession")
            .WithSummary("End a test session: its scenario states, sequence positions, resource records and requests go; its next request starts it afresh")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest);
        return group;
    }

    /// <summary>The 400 problem for a malformed session id given to the management API; null when it is absent or well formed.</summary>
    public static IResult? Refused(string? session) =>
        session is null || MockSessions.IsValid(session) ? null : Problems.BadRequest(MockSessions.Rule("session"));
}
