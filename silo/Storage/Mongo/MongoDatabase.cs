using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Compression;
using MongoDB.Driver.Core.Configuration;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Silo.Storage.Mongo;

/// <summary>
/// The MongoDB database OrleansMock stores in: client settings from <see cref="MongoStoreOptions"/>, the collection
/// naming, and the startup step that checks the server and creates the guide's indexes (idempotently).
/// </summary>
public sealed class MongoDatabase
{
    public const string DefaultDatabaseName = "orleansmock";

    /// <summary>Grain state collections by state name; states not listed use their state name.</summary>
    public static readonly IReadOnlyDictionary<string, string> StateCollections = new Dictionary<string, string>
    {
        ["project"] = "apiprojects",
        ["uniquekey"] = "uniquekeys",
        ["catalog"] = "projectcatalogs",
        ["user"] = "users",
        ["ratelimitshard"] = "ratelimitshards",
        ["workspace"] = "workspaces",
    };

    private readonly SemaphoreSlim _readyOnce = new(1, 1);
    private bool _ready;

    public MongoDatabase(string connectionString, MongoStoreOptions options)
    {
        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        settings.MaxConnectionPoolSize = options.MaxPoolSize;
        settings.MinConnectionPoolSize = options.MinPoolSize;
        settings.MaxConnectionIdleTime = TimeSpan.FromSeconds(options.MaxIdleTimeSeconds);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(options.ServerSelectionTimeoutSeconds);
        settings.RetryWrites = options.RetryWrites;
        settings.Compressors = options.Compressors
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => new CompressorConfiguration(Enum.Parse<CompressorType>(name, ignoreCase: true)))
            .ToList();
        settings.WriteConcern = int.TryParse(options.WriteConcern, out var nodes)
            ? new WriteConcern(nodes, journal: options.Journal)
            : new WriteConcern(options.WriteConcern, journal: options.Journal);
        Description = $"{string.Join(",", url.Servers)}/{url.DatabaseName ?? DefaultDatabaseName}";
        Database = new MongoClient(settings).GetDatabase(url.DatabaseName ?? DefaultDatabaseName);
    }

    public IMongoDatabase Database { get; }

    /// <summary>Where the database is, without credentials, for messages.</summary>
    public string Description { get; }

    public static string CollectionFor(string stateName) => StateCollections.GetValueOrDefault(stateName, stateName);

    /// <summary>Checks the server answers and creates the indexes, once per process; fails with a clear message.</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken = default)
    {
        await _readyOnce.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }
            try
            {
                await Database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
            }
            catch (Exception exception) when (exception is MongoException or TimeoutException)
            {
                throw new InvalidOperationException(
                    $"MongoDB at {Description} cannot be reached: {exception.Message}. Check ConnectionStrings:Mongo.", exception);
            }
            await CreateIndexesAsync(cancellationToken);
            _ready = true;
        }
        finally
        {
            _readyOnce.Release();
        }
    }

    private async Task CreateIndexesAsync(CancellationToken cancellationToken)
    {
        // The guide's indexes. apiprojects documents carry user and createdAt at top level (MongoGrainStorage promotes
        // them), so "a user's projects, newest first" is one index scan.
        await Index(CollectionFor("project"), Builders<BsonDocument>.IndexKeys.Ascending("user").Descending("createdAt"), cancellationToken);
        foreach (var records in RecordCollection.All)
        {
            var keys = records == RecordCollection.TesterHistory
                ? Builders<BsonDocument>.IndexKeys.Ascending(records.ScopeField).Descending(records.SortField)
                : Builders<BsonDocument>.IndexKeys.Ascending(records.ScopeField).Ascending(records.GroupField);
            await Index(records.Name, keys, cancellationToken);
            // Paging within a group: (scope, group, sort, recordId).
            await Index(records.Name, Builders<BsonDocument>.IndexKeys
                .Ascending(records.ScopeField).Ascending(records.GroupField).Ascending(records.SortField).Ascending("recordId"), cancellationToken);
        }
    }

    private Task Index(string collection, IndexKeysDefinition<BsonDocument> keys, CancellationToken cancellationToken) =>
        Database.GetCollection<BsonDocument>(collection).Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(keys), cancellationToken: cancellationToken);
}
