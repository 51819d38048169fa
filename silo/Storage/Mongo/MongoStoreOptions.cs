namespace OrleansMock.Silo.Storage.Mongo;

/// <summary>
/// MongoDB settings (<c>OrleansMock:Storage:Mongo</c>). Defaults are the original scalability guide's pool settings;
/// the connection string is <c>ConnectionStrings:Mongo</c> and names the database (default <c>orleansmock</c>).
/// </summary>
public sealed class MongoStoreOptions
{
    public const string Section = "OrleansMock:Storage:Mongo";

    public int MaxPoolSize { get; set; } = 10;
    public int MinPoolSize { get; set; } = 2;
    public int MaxIdleTimeSeconds { get; set; } = 10;
    public int ServerSelectionTimeoutSeconds { get; set; } = 5;
    public bool RetryWrites { get; set; } = true;

    /// <summary>Wire compressors, in order of preference.</summary>
    public string Compressors { get; set; } = "zlib";

    /// <summary>Write concern: <c>majority</c> (default) or a number of nodes.</summary>
    public string WriteConcern { get; set; } = "majority";

    /// <summary>Wait for the journal before acknowledging a write.</summary>
    public bool Journal { get; set; } = true;
}
