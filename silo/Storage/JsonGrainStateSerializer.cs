using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>
/// Grain state as plain camelCase JSON: readable in the database, and free of CLR type names so renaming a class
/// never orphans stored data. Every backend of ours uses this one serializer.
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStorageSerializer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input) =>
        JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)
        ?? throw new JsonException($"Stored state for {typeof(T).Name} is the JSON literal null");
}
