using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansMock.Api.Http;

/// <summary>
/// A field of an imported format (a WireMock mapping, a Postman collection) that we cannot represent: answered 422
/// naming the field, never dropped silently.
/// </summary>
public sealed class UnsupportedFieldException(string fieldName, string message) : Exception($"{fieldName}: {message}")
{
    public string Field => fieldName;
}

/// <summary>Reading an imported document's fields: a wrong shape is an <see cref="UnsupportedFieldException"/> naming the field.</summary>
public static class ImportedJson
{
    public static JsonObject Object(JsonNode? node, string field) =>
        node as JsonObject ?? throw new UnsupportedFieldException(field, "must be a JSON object");

    public static JsonArray Array(JsonNode node, string field) =>
        node as JsonArray ?? throw new UnsupportedFieldException(field, "must be a JSON array");

    public static string? Text(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw new UnsupportedFieldException(field, "must be a string"),
    };

    public static bool? Bool(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        _ => throw new UnsupportedFieldException(field, "must be true or false"),
    };

    public static int? Integer(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) => number,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number && double.TryParse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
        _ => throw new UnsupportedFieldException(field, "must be a whole number"),
    };

    public static double? Number(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new UnsupportedFieldException(field, "must be a number"),
    };
}
