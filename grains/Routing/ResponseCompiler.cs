using System.Text;
using System.Text.Json;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Routing;

/// <summary>Turns a stored endpoint into the bytes and headers served for it, once per change rather than per request.</summary>
public static class ResponseCompiler
{
    public const string JsonContentType = "application/json";

    public static MockResponse Compile(EndpointInfo endpoint)
    {
        var response = endpoint.Spec.Response;
        var (contentType, body) = Body(response);
        return new MockResponse
        {
            Status = response.Status,
            Headers = response.Headers.ToArray(),
            ContentType = contentType,
            Body = body,
            DelayMs = response.DelayMs,
            EndpointId = endpoint.Id,
        };
    }

    private static (string? ContentType, byte[] Body) Body(ResponseDefinition response)
    {
        if (response.BodyJson is null)
        {
            return (response.ContentType, []);
        }
        if (response.ContentType is not null)
        {
            using var document = JsonDocument.Parse(response.BodyJson);
            if (document.RootElement.ValueKind == JsonValueKind.String)
            {
                // A string with an explicit content type is the literal text to serve (XML, CSV, HTML, ...).
                return (response.ContentType, Encoding.UTF8.GetBytes(document.RootElement.GetString()!));
            }
        }
        return (response.ContentType ?? JsonContentType, Encoding.UTF8.GetBytes(response.BodyJson));
    }
}
