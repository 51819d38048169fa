using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Http;

/// <summary>
/// The project a management route names (<c>{projectId}</c>, an id or a slug) and the signed-in caller. A handler takes
/// it as a parameter; <see cref="Require"/>, on every project-scoped route group, resolves it (inside the group's retry)
/// and answers the 404 problem for a project that does not exist before the handler runs, so no handler repeats that.
/// Whether the caller may see the project is the grain's to say (a project of someone else is a 404 there too).
/// </summary>
public sealed class ProjectScope
{
    /// <summary>The route value that names the project.</summary>
    public const string RouteValue = "projectId";

    private readonly ProjectResolver _resolver;
    private string? _id;

    private ProjectScope(string name, string caller, ProjectResolver resolver)
    {
        Name = name;
        Caller = caller;
        _resolver = resolver;
    }

    /// <summary>The project as the URL names it (an id or a slug).</summary>
    public string Name { get; }

    /// <summary>The signed-in caller's user id.</summary>
    public string Caller { get; }

    /// <summary>The caller's role in the project (owner of a personal project; a team role), resolved by <see cref="Require"/>.</summary>
    public string Role { get; private set; } = TeamRoles.Viewer;

    /// <summary>The project's id (resolved by <see cref="Require"/> before the handler runs).</summary>
    public string Id => _id ?? throw new InvalidOperationException($"{nameof(ProjectScope)}.{nameof(Require)} is not on this route's group");

    /// <summary>The project's grain.</summary>
    public IMockProjectGrain Grain => _resolver.Project(Id);

    /// <summary>A test session's grain of the project (its methods check the caller through the project grain).</summary>
    public IMockSessionGrain Session(string session) => _resolver.Session(Id, session);

    /// <summary>Minimal APIs bind the parameter with this: the name and caller only; resolving waits for the filter.</summary>
    public static ValueTask<ProjectScope?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<ProjectScope?>(new ProjectScope(context.Request.RouteValues[RouteValue] as string ?? "", context.User.UserId(),
            context.RequestServices.GetRequiredService<ProjectResolver>()));

    /// <summary>
    /// Endpoint filter: resolves the handler's <see cref="ProjectScope"/> and the caller's role in it: 404 when no such
    /// project exists for the caller, 403 naming the role when a viewer asks for anything but a read. The project grain
    /// is the one place a role is held, so a removed member or a lowered role holds at once on every front end.
    /// </summary>
    public static async ValueTask<object?> Require(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is not ProjectScope scope)
            {
                continue;
            }
            // Reads, retried on every transient failure (the write the route makes is the handler's, retried as it allows).
            var aborted = context.HttpContext.RequestAborted;
            if ((scope._id ??= await scope._resolver.ResolveAsync(scope.Name)) is null
                || context.HttpContext.User.WithinGrants(scope._id!, await Transient.RetryAsync(() => new ValueTask<string?>(scope.Grain.RoleOfAsync(scope.Caller)), aborted)) is not { } role)
            {
                return NotFound(scope.Name);
            }
            scope.Role = role;
            if (!TeamRoles.Allows(role, TeamRoles.Editor) && !HttpMethods.IsGet(context.HttpContext.Request.Method) && !HttpMethods.IsHead(context.HttpContext.Request.Method))
            {
                return Forbidden(scope.Name, role);
            }
        }
        return await next(context);
    }

    /// <summary>The answer to a team member whose role does not allow a change.</summary>
    public static IResult Forbidden(string project, string role) =>
        Problems.Status(StatusCodes.Status403Forbidden, $"your role in the team that owns project '{project}' is {role}: it reads the project and changes nothing");

    /// <summary>The one answer for a project that does not exist or is not the caller's.</summary>
    public static IResult NotFound(string project) =>
        Problems.NotFound($"project '{project}' does not exist; list your projects with GET /api/v1/projects");
}
