using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Http;

/// <summary>RFC 9457 problem responses, and the one mapping from grain outcomes to HTTP statuses.</summary>
public static class Problems
{
    public static IResult Status(int status, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);

    public static IResult BadRequest(string detail) => Status(StatusCodes.Status400BadRequest, detail);

    public static IResult NotFound(string detail) => Status(StatusCodes.Status404NotFound, detail);

    public static int StatusOf(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Ok => StatusCodes.Status200OK,
        OutcomeKind.NotFound => StatusCodes.Status404NotFound,
        OutcomeKind.Conflict => StatusCodes.Status409Conflict,
        OutcomeKind.Invalid => StatusCodes.Status400BadRequest,
        OutcomeKind.LimitExceeded => StatusCodes.Status422UnprocessableEntity,
        OutcomeKind.PreconditionFailed => StatusCodes.Status409Conflict,
        OutcomeKind.Created => StatusCodes.Status201Created,
        OutcomeKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        OutcomeKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        OutcomeKind.NotAllowed => StatusCodes.Status405MethodNotAllowed,
        OutcomeKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        OutcomeKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult From<T>(Outcome<T> failed) => Status(StatusOf(failed.Kind), failed.Error ?? failed.Kind.ToString());
}
