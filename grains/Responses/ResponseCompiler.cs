using System.Text;
using System.Text.Json;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Responses;

/// <summary>Turns a stored response into the bytes and headers served for it, once per change rather than per request.</summary>
public static class ResponseCompiler
{
    public const string JsonContentType = "application/json";

    public static MockResponse Compile(EndpointInfo endpoint) => Compile(endpoint, endpoint.Spec.Response, 0);

    public static MockResponse Compile(EndpointInfo endpoint, ResponseDefinition response, int index)
    {
        var (contentType, body) = Body(response);
        return new MockResponse
        {
            Status = response.Status,
            Headers = [.. response.Headers, .. response.MoreHeaderValues ?? []],
            StatusMessage = response.StatusMessage,
            ContentType = contentType,
            Body = body,
            DelayMs = response.Delay?.Fixed ?? response.DelayMs,
            EndpointId = endpoint.Id,
            ResponseIndex = index,
            Fault = response.Fault,
            ChunkedDribble = response.ChunkedDribbleDelay,
        };
    }

    private static (string? ContentType, byte[] Body) Body(ResponseDefinition response)
    {
        // A WireMock mapping without a Content-Type header is answered without one, as WireMock answers it.
        var defaultType = response.NoContentType ? null : JsonContentType;
        if (response.BodyJson is null)
        {
            return (response.ContentType, []);
        }
        if (response.Base64Body)
        {
            // Checked on definition: a JSON string of base64 (a recorded binary answer keeps its bytes).
            using var encoded = JsonDocument.Parse(response.BodyJson);
            return (response.ContentType ?? (response.NoContentType ? null : "application/octet-stream"), Convert.FromBase64String(encoded.RootElement.GetString()!));
        }
        if (response.ContentType is not null || response.Template || response.NoContentType)
        {
            using var document = JsonDocument.Parse(response.BodyJson);
            if (document.RootElement.ValueKind == JsonValueKind.String)
            {
                // A string with an explicit content type is the literal text to serve (XML, CSV, HTML, ...); so is a
                // template's string: its text is what renders (a JSON template is written as a string).
                return (response.ContentType ?? defaultType, Encoding.UTF8.GetBytes(document.RootElement.GetString()!));
            }
        }
        if (response.Template)
        {
            // A JSON template's text with only the escapes JSON needs: a client may have written ' as \u0027, which
            // would hide the quotes of a helper's argument ({{jsonPath request.body '$.name'}}) from Handlebars.
            return (response.ContentType ?? defaultType,
                Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(response.BodyJson)!.ToJsonString(RelaxedJson)));
        }
        return (response.ContentType ?? defaultType, Encoding.UTF8.GetBytes(response.BodyJson));
    }

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
