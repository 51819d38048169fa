using System.Text.Json;
using Orleans.Storage;
using OrleansMock.Grains.Storage;

namespace OrleansMock.Silo.Storage;

/// <summary>
/// Grain state as plain camelCase JSON: readable in the database, and free of CLR type names so renaming a class
/// never orphans stored data. Every backend of ours uses this one serializer.
/// </summary>
/// <remarks>
/// Before this serializer was registered so that it wins over Orleans' default, state was written by Orleans' Newtonsoft
/// serializer (<c>$id</c>/<c>$type</c> metadata, PascalCase). Such records are still read, by <paramref name="legacy"/>,
/// exactly as the version that wrote them read them; the grain's next write stores them in our format.
/// </remarks>
public sealed class JsonGrainStateSerializer(IGrainStorageSerializer? legacy = null) : IGrainStorageSerializer
{
    public static JsonSerializerOptions Options => StoredJson.Options;

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input)
    {
        if (IsLegacyFormat(input.ToMemory().Span))
        {
            return legacy is not null
                ? legacy.Deserialize<T>(input)!
                : throw new JsonException($"Stored state for {typeof(T).Name} is in the old Newtonsoft format ($type/$id) and no reader for it is configured");
        }
        return JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)
            ?? throw new JsonException($"Stored state for {typeof(T).Name} is the JSON literal null");
    }

    /// <summary>An object whose first member is Newtonsoft metadata (<c>$id</c>, <c>$type</c>): ours never starts so.</summary>
    public static bool IsLegacyFormat(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName
                && (reader.ValueTextEquals("$id"u8) || reader.ValueTextEquals("$type"u8));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
