using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;
using Orleans.Storage;

namespace OrleansMock.Silo.Storage.Mongo;

/// <summary>
/// Grain storage on MongoDB, written on MongoDB.Driver. One collection per state name
/// (<see cref="MongoDatabase.StateCollections"/>); one document per grain:
/// <c>{ _id: "&lt;grain id&gt;", etag: "&lt;guid&gt;", state: { ...camelCase JSON... }, modifiedOn: Date }</c>, plus
/// <c>user</c> and <c>createdAt</c> promoted from project state for the guide's index. The state is our JSON
/// serializer's output converted to BSON: no CLR type names are stored.
/// </summary>
public sealed class MongoGrainStorage(string name, MongoDatabase database, IGrainStorageSerializer serializer)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly JsonWriterSettings RelaxedJson = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson };

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(MongoGrainStorage)}.{name}", ServiceLifecycleStage.ApplicationServices, database.EnsureReadyAsync);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var document = await Collection(stateName).Find(ById(grainId)).FirstOrDefaultAsync();
        if (document is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        var json = document["state"].AsBsonDocument.ToJson(RelaxedJson);
        grainState.State = serializer.Deserialize<T>(BinaryData.FromString(json));
        grainState.ETag = document["etag"].AsString;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = Guid.NewGuid().ToString("N");
        var document = Document(stateName, grainId, etag, grainState.State);
        var collection = Collection(stateName);
        if (grainState.ETag is null)
        {
            try
            {
                await collection.InsertOneAsync(document);
            }
            catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
                throw await ConflictAsync("write", stateName, grainId, grainState.ETag);
            }
        }
        else
        {
            var filter = ById(grainId) & Builders<BsonDocument>.Filter.Eq("etag", grainState.ETag);
            var result = await collection.ReplaceOneAsync(filter, document);
            if (result.MatchedCount == 0)
            {
                throw await ConflictAsync("write", stateName, grainId, grainState.ETag);
            }
        }
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var collection = Collection(stateName);
        bool cleared;
        if (grainState.ETag is null)
        {
            // The grain believes nothing is stored: clearing succeeds only if that is still true.
            cleared = await collection.CountDocumentsAsync(ById(grainId)) == 0;
        }
        else
        {
            var result = await collection.DeleteOneAsync(ById(grainId) & Builders<BsonDocument>.Filter.Eq("etag", grainState.ETag));
            cleared = result.DeletedCount == 1;
        }
        if (!cleared)
        {
            throw await ConflictAsync("clear", stateName, grainId, grainState.ETag);
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private BsonDocument Document<T>(string stateName, GrainId grainId, string etag, T state)
    {
        var json = serializer.Serialize(state).ToString();
        var document = new BsonDocument
        {
            ["_id"] = grainId.ToString(),
            ["etag"] = etag,
            ["state"] = BsonDocument.Parse(json),
            ["modifiedOn"] = DateTime.UtcNow,
        };
        if (stateName == "project")
        {
            Promote(document, json);
        }
        return document;
    }

    /// <summary>Copies the owner and creation time of a project to the top level, where the guide's index expects them.</summary>
    private static void Promote(BsonDocument document, string json)
    {
        using var parsed = JsonDocument.Parse(json);
        if (!parsed.RootElement.TryGetProperty("project", out var project) || project.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (project.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String)
        {
            document["user"] = owner.GetString();
        }
        if (project.TryGetProperty("createdAt", out var createdAt) && createdAt.TryGetDateTimeOffset(out var at))
        {
            document["createdAt"] = at.UtcDateTime;
        }
    }

    private async Task<InconsistentStateException> ConflictAsync(string operation, string stateName, GrainId grainId, string? expected)
    {
        var stored = await Collection(stateName).Find(ById(grainId)).Project(Builders<BsonDocument>.Projection.Include("etag")).FirstOrDefaultAsync();
        var storedEtag = stored?["etag"].AsString;
        return new InconsistentStateException(
            $"Cannot {operation} state '{stateName}' of {grainId}: the grain expected ETag '{expected ?? "(none)"}' but the store holds '{storedEtag ?? "(none)"}'",
            storedEtag, expected);
    }

    private IMongoCollection<BsonDocument> Collection(string stateName) =>
        database.Database.GetCollection<BsonDocument>(MongoDatabase.CollectionFor(stateName));

    private static FilterDefinition<BsonDocument> ById(GrainId grainId) => Builders<BsonDocument>.Filter.Eq("_id", grainId.ToString());
}
