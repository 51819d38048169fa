using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Silo.Storage.Mongo;

/// <summary>
/// Record storage on MongoDB: one document per record in the collection named by <see cref="RecordCollection"/>:
/// <c>{ _id: "&lt;scope&gt;/&lt;group&gt;/&lt;id&gt;", &lt;scopeField&gt;, &lt;groupField&gt;, recordId, &lt;sortField&gt;, data: {...} }</c>.
/// </summary>
public sealed class MongoRecordStore(MongoDatabase database) : IRecordStore
{
    private static readonly JsonWriterSettings RelaxedJson = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson };

    public async Task<StoredRecord?> GetAsync(RecordCollection collection, string scope, string group, string id)
    {
        var document = await Collection(collection).Find(ById(scope, group, id)).FirstOrDefaultAsync();
        return document is null ? null : Read(collection, document);
    }

    public async Task<bool> InsertAsync(RecordCollection collection, string scope, string group, StoredRecord record)
    {
        try
        {
            await Collection(collection).InsertOneAsync(Document(collection, scope, group, record));
            return true;
        }
        catch (MongoWriteException exception) when (exception.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<bool> ReplaceAsync(RecordCollection collection, string scope, string group, StoredRecord record)
    {
        var result = await Collection(collection).ReplaceOneAsync(ById(scope, group, record.Id), Document(collection, scope, group, record));
        return result.MatchedCount == 1;
    }

    public async Task<bool> DeleteAsync(RecordCollection collection, string scope, string group, string id) =>
        (await Collection(collection).DeleteOneAsync(ById(scope, group, id))).DeletedCount == 1;

    public async Task<IReadOnlyList<StoredRecord>> ListAsync(RecordCollection collection, string scope, string group, RecordQuery query)
    {
        var filters = Builders<BsonDocument>.Filter;
        var filter = InGroup(collection, scope, group);
        if (query.AfterSort is { } afterSort)
        {
            var afterId = query.AfterId ?? "";
            filter &= query.Descending
                ? filters.Lt(collection.SortField, afterSort) | (filters.Eq(collection.SortField, afterSort) & filters.Lt("recordId", afterId))
                : filters.Gt(collection.SortField, afterSort) | (filters.Eq(collection.SortField, afterSort) & filters.Gt("recordId", afterId));
        }
        var sort = query.Descending
            ? Builders<BsonDocument>.Sort.Descending(collection.SortField).Descending("recordId")
            : Builders<BsonDocument>.Sort.Ascending(collection.SortField).Ascending("recordId");
        var documents = await Collection(collection).Find(filter).Sort(sort).Limit(query.Limit).ToListAsync();
        return documents.Select(d => Read(collection, d)).ToArray();
    }

    public async Task ApplyAsync(RecordCollection collection, string scope, string group, IReadOnlyList<RecordWrite> writes)
    {
        var models = writes.Select(write => write.Upsert is { } record
            ? (WriteModel<BsonDocument>)new ReplaceOneModel<BsonDocument>(ById(scope, group, record.Id), Document(collection, scope, group, record)) { IsUpsert = true }
            : new DeleteOneModel<BsonDocument>(ById(scope, group, write.DeleteId!))).ToList();
        if (models.Count > 0)
        {
            await Collection(collection).BulkWriteAsync(models, new BulkWriteOptions { IsOrdered = true });
        }
    }

    public async Task<long> DeleteGroupAsync(RecordCollection collection, string scope, string group) =>
        (await Collection(collection).DeleteManyAsync(InGroup(collection, scope, group))).DeletedCount;

    private IMongoCollection<BsonDocument> Collection(RecordCollection collection) => database.Database.GetCollection<BsonDocument>(collection.Name);

    private static FilterDefinition<BsonDocument> ById(string scope, string group, string id) =>
        Builders<BsonDocument>.Filter.Eq("_id", $"{scope}/{group}/{id}");

    private static FilterDefinition<BsonDocument> InGroup(RecordCollection collection, string scope, string group) =>
        Builders<BsonDocument>.Filter.Eq(collection.ScopeField, scope) & Builders<BsonDocument>.Filter.Eq(collection.GroupField, group);

    private static BsonDocument Document(RecordCollection collection, string scope, string group, StoredRecord record) => new()
    {
        ["_id"] = $"{scope}/{group}/{record.Id}",
        [collection.ScopeField] = scope,
        [collection.GroupField] = group,
        ["recordId"] = record.Id,
        [collection.SortField] = record.Sort,
        ["data"] = BsonSerializer.Deserialize<BsonValue>(record.Json),
    };

    private static StoredRecord Read(RecordCollection collection, BsonDocument document) =>
        new(document["recordId"].AsString, document[collection.SortField].ToInt64(), document["data"].ToJson(RelaxedJson));
}
