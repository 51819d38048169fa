using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansMock.Grains.Storage;

/// <summary>
/// How our stored JSON reads: camelCase, enums by name, nulls left out, no CLR type names. Grain state (the silo's
/// serializer) and records a grain stores itself (a project's endpoints) use these same options, so one endpoint
/// reads the same in both.
/// </summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
