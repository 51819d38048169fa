namespace OrleansMock.GrainInterfaces;

/// <summary>How a grain command ended. The front end maps each kind to one HTTP status.</summary>
[GenerateSerializer, Alias("om.OutcomeKind")]
public enum OutcomeKind
{
    Ok = 0,
    NotFound = 1,
    /// <summary>The command clashes with existing data (duplicate slug, duplicate route).</summary>
    Conflict = 2,
    /// <summary>The command breaks a domain rule; the error says which.</summary>
    Invalid = 3,
    /// <summary>A configured limit (endpoints per project, ...) would be exceeded.</summary>
    LimitExceeded = 4,
    /// <summary>The caller's expected revision is no longer current.</summary>
    PreconditionFailed = 5,
    /// <summary>Done, and something new exists (a record created).</summary>
    Created = 6,
    /// <summary>The input is larger than a configured limit allows.</summary>
    TooLarge = 7,
    /// <summary>Well-formed input that breaks a rule of the data (a record against its schema).</summary>
    Unprocessable = 8,
    /// <summary>The operation does not apply to the target (a method on a collection or a record).</summary>
    NotAllowed = 9,
    /// <summary>Temporarily unable to answer (being reset or reloaded); retry shortly.</summary>
    Unavailable = 10,
    /// <summary>The caller may see the target but not do this (a team role that does not allow it).</summary>
    Forbidden = 11,
}

/// <summary>The result of a grain command: a value, or a kind of failure with a message a person can act on.</summary>
[GenerateSerializer, Immutable, Alias("om.Outcome`1")]
public sealed record Outcome<T>(
    [property: Id(0)] OutcomeKind Kind,
    [property: Id(1)] T? Value,
    [property: Id(2)] string? Error)
{
    public bool IsOk => Kind == OutcomeKind.Ok;

    public static Outcome<T> Ok(T value) => new(OutcomeKind.Ok, value, null);

    public static Outcome<T> Fail(OutcomeKind kind, string error) => new(kind, default, error);
}
