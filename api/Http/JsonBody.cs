using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.Http;

/// <summary>
/// Reads a JSON request body with every failure turned into a problem a person can act on: wrong content type
/// (415), too large (413), empty, malformed, a field of the wrong type, or an unknown field (400).
/// </summary>
public static partial class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        AllowTrailingCommas = false,
        AllowDuplicateProperties = false, // {"a":1,"a":2} is a 400, never a crash where a JsonObject first meets it
        MaxDepth = 64,
        Encoder = JsonText.Encoder,
    };

    public readonly record struct Result<T>(T? Value, IResult? Problem);

    /// <param name="anyContentType">Read the body as JSON whatever its Content-Type says (WireMock's admin API does).</param>
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, int maxBytes, bool anyContentType = false) where T : class
    {
        if (!anyContentType && !IsJsonContentType(request.ContentType))
        {
            return Fail<T>(StatusCodes.Status415UnsupportedMediaType, request.ContentType is null
                ? "the request has no Content-Type; send the body as JSON with Content-Type: application/json"
                : $"Content-Type '{request.ContentType}' is not supported; send the body as JSON with Content-Type: application/json");
        }
        if (request.ContentLength > maxBytes)
        {
            return TooLarge<T>(maxBytes);
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes + 1, 16 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, request.HttpContext.RequestAborted);
            if (read == 0)
            {
                break;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return TooLarge<T>(maxBytes);
            }
        }
        if (buffer.WrittenCount == 0)
        {
            return Fail<T>(StatusCodes.Status400BadRequest, "the request body is empty; send a JSON object");
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.WrittenSpan, Options);
            return value is null
                ? Fail<T>(StatusCodes.Status400BadRequest, "the request body is the JSON literal null; send a JSON object")
                : new Result<T>(value, null);
        }
        catch (JsonException exception)
        {
            return Fail<T>(StatusCodes.Status400BadRequest, Describe(exception));
        }
        catch (ArgumentException exception) when (typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(typeof(T)))
        {
            // Read as a JsonNode, a member named twice surfaces as the dictionary's duplicate key, not a JsonException.
            return Fail<T>(StatusCodes.Status400BadRequest, $"the request body names a member twice ({exception.Message.Split(" (Parameter", 2)[0]}); each member once");
        }
    }

    public static bool IsJsonContentType(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType is null)
        {
            return false;
        }
        var media = parsed.MediaType;
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Rewrites System.Text.Json's messages (which name .NET types) in the terms of the JSON the client sent.</summary>
    public static string Describe(JsonException exception)
    {
        var path = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
        var message = exception.Message;
        if (UnmappedPattern().Match(message) is { Success: true } unmapped)
        {
            return $"unknown field '{unmapped.Groups[1].Value}' at {path}; check the spelling against the API reference at /scalar";
        }
        if (ConvertPattern().Match(message) is { Success: true } convert)
        {
            // For constructor parameters the outer message names the containing record; the inner one names the value's type.
            return $"field {path} has the wrong type: expected {Friendly(exception.InnerException?.Message ?? "", convert.Groups[1].Value)}";
        }
        if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && message.Contains("nullable", StringComparison.OrdinalIgnoreCase))
        {
            return $"field {path} must not be null";
        }
        var reason = message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
        var line = exception.LineNumber is { } l ? $" at line {l + 1}, byte {exception.BytePositionInLine + 1}" : "";
        return $"malformed JSON{line} ({path}): {reason}";
    }

    private static string Friendly(string inner, string clrType) => (inner, clrType) switch
    {
        _ when inner.Contains("Int32") || inner.Contains("Int64") || inner.Contains("as a number") => "an integer",
        _ when inner.Contains("as a string") => "a string",
        _ when inner.Contains("as a boolean") => "true or false",
        _ when clrType.Contains("Int32") || clrType.Contains("Int64") => "an integer",
        _ when clrType.Contains("Dictionary") => "an object whose values are strings",
        _ when clrType.Contains("String") => "a string",
        _ when clrType.Contains("Boolean") => "true or false",
        _ when clrType.Contains("[]") || clrType.Contains("List") => "an array",
        _ => "an object",
    };

    private static Result<T> TooLarge<T>(int maxBytes) =>
        Fail<T>(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {maxBytes} bytes (OrleansMock:Limits:MaxRequestBodyBytes)");

    private static Result<T> Fail<T>(int status, string detail) => new(default, Problems.Status(status, detail));

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedPattern();

    [GeneratedRegex("could not be converted to ([^ ]+?)\\.? Path:")]
    private static partial Regex ConvertPattern();
}
