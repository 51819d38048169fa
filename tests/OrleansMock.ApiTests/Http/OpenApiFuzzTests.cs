using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// Every operation the service publishes in <c>/openapi/v1.json</c> (and the WireMock admin routes it does not list),
/// fed bodies, query values and path values built from its own schemas and then broken: every property given each
/// wrong type, duplicate keys, invalid UTF-8, JSON that is not an object. Each answer must be a 4xx (or a success),
/// never a 5xx (issue 30.8: a fuzz found 25 500s in 3,160 requests).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiFuzzTests(ApiFixture fixture)
{
    private static readonly string[] Hostile =
    [
        "42", "\"text\"", "[]", "null", "true", "{", "{\"a\":1,\"a\":2}", "{\"name\":\"x\",\"name\":\"y\"}", "[{}]", "{\"\":{}}",
        new string('[', 300) + new string(']', 300),
    ];

    private static readonly JsonNode?[] WrongValues = [JsonValue.Create(42), JsonValue.Create(-1.5e300), JsonValue.Create("text"), JsonValue.Create(true), new JsonArray(), new JsonObject(), null];

    private static readonly string[] QueryValues = ["-1", "abc", "1e99", "%FF", "", "99999999999999999999", "true", "%00"];

    [Fact]
    public async Task Every_published_operation_answers_broken_input_without_a_5xx()
    {
        var client = fixture.Client;
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var project = await client.CreateProjectAsync();
        var (projectId, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        var endpointId = (await client.CreateEndpointAsync(projectId, """{"method":"GET","path":"/a","response":{}}""")).GetProperty("id").GetString()!;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["projectId"] = projectId, ["project"] = slug, ["endpointId"] = endpointId, ["name"] = "things", ["id"] = "1",
        };
        // DELETE operations go to a project of their own, so deleting it does not take the rest of the run's project.
        var doomed = await client.CreateProjectAsync();
        var doomedValues = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase)
        {
            ["projectId"] = doomed.GetProperty("id").GetString()!, ["project"] = doomed.GetProperty("slug").GetString()!,
        };
        var failures = new List<string>();
        var sent = 0;
        var adminReached = 0; // admin answers other than 401/403/404: the admin routes were really exercised
        var adminStatuses = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description")
                {
                    continue;
                }
                var url = Fill(path, method == "delete" ? doomedValues : values);
                var schema = RequestSchema(document, operation!);
                var bodies = schema is null ? Hostile : Hostile.Concat(Mutations(document, schema)).ToArray();
                foreach (var body in method is "get" or "delete" ? [null] : bodies.Select(b => (string?)b).Append(null))
                {
                    await SendAsync(method, url, body is null ? null : Encoding.UTF8.GetBytes(body));
                }
                if (method is not ("get" or "delete"))
                {
                    await SendAsync(method, url, [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"<invalid UTF-8>"}
                }
                foreach (var parameter in (operation!["parameters"]?.AsArray() ?? []).Where(p => p?["in"]?.GetValue<string>() == "query"))
                {
                    foreach (var value in QueryValues)
                    {
                        await SendAsync(method, $"{url}?{parameter!["name"]!.GetValue<string>()}={value}", method is "get" or "delete" ? null : "{}"u8.ToArray());
                    }
                }
                foreach (var value in new[] { "%FF", "..", "p_" + new string('z', 300), "%20" })
                {
                    var broken = path.Contains('{') ? Fill(path, values.ToDictionary(p => p.Key, _ => value, StringComparer.OrdinalIgnoreCase)) : null;
                    if (broken is not null)
                    {
                        await SendAsync(method, broken, method is "get" or "delete" ? null : "{}"u8.ToArray());
                    }
                }
            }
        }

        // The loop may have renamed the project (a PATCH with a valid slug among the broken values): address it as it is now.
        slug = (await (await client.GetAsync($"/api/v1/projects/{projectId}")).ReadJsonAsync()).GetProperty("slug").GetString()!;
        // The WireMock admin API (not in the document): its request shapes with wrong types.
        var admin = fixture.Factory.CreateClient();
        admin.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        string[] adminBodies =
        [
            """{"targetBaseUrl":42}""", """{"targetBaseUrl":"http://example.com","captureHeaders":"x"}""", """{"targetBaseUrl":"http://example.com","extractBodyCriteria":[1]}""",
            """{"targetBaseUrl":"http://example.com","persist":"yes","repeatsAsScenarios":"no","requestBodyPattern":5}""",
            """{"mappings":[],"importOptions":{"duplicatePolicy":5}}""", """{"mappings":[],"importOptions":{"deleteAllNotInImport":"yes"}}""",
            """{"mappings":[{"request":{"method":"GET"},"response":{"status":200},"request":{}}]}""", """{"mappings":{}}""", """{"mappings":[5]}""",
            """{"request":{"method":5},"response":{"status":"x"}}""", """{"request":{"urlPath":[]},"response":{"headers":[]}}""",
        ];
        foreach (var route in new[] { "recordings/start", "mappings/import", "mappings", "requests/count", "requests/find", "requests/remove" })
        {
            foreach (var body in adminBodies.Concat(Hostile))
            {
                await SendWithAsync(admin, "post", $"/m/{slug}/__admin/{route}", Encoding.UTF8.GetBytes(body));
            }
            await SendWithAsync(admin, "post", $"/m/{slug}/__admin/{route}", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
        }
        // Postman collections (their body is free-form JSON in the document): fields of the wrong type deep inside.
        const string info = "\"info\":{\"name\":\"c\",\"schema\":\"https://schema.getpostman.com/json/collection/v2.1.0/collection.json\"}";
        string[] postman =
        [
            "{" + info + ",\"item\":[{\"name\":\"r\",\"request\":{\"method\":\"GET\",\"url\":\"http://e.com\",\"header\":[{\"key\":\"a\",\"value\":\"b\",\"disabled\":\"yes\"}]}}]}",
            "{" + info + ",\"item\":[{\"name\":\"r\",\"request\":{\"method\":\"POST\",\"url\":\"http://e.com\",\"body\":{\"mode\":\"raw\",\"raw\":\"x\",\"options\":5}}}]}",
            "{" + info + ",\"item\":[{\"name\":\"r\",\"request\":{\"method\":\"POST\",\"url\":\"http://e.com\",\"body\":{\"mode\":\"raw\",\"raw\":\"x\",\"options\":{\"raw\":{\"language\":5}}}}}]}",
            "{" + info + ",\"item\":[{\"name\":5,\"request\":{\"method\":[],\"url\":{\"raw\":7,\"query\":[{\"key\":1,\"disabled\":\"no\"}]}}}]}",
            "{" + info + ",\"item\":\"x\",\"variable\":[{\"key\":1,\"value\":{}}],\"auth\":{\"type\":5}}",
            "{" + info + ",\"item\":[{\"name\":\"f\",\"item\":[{\"name\":\"r\",\"request\":\"http://e.com\",\"event\":5}]}]}",
        ];
        foreach (var body in postman)
        {
            await SendAsync("post", "/api/v1/collections/import", Encoding.UTF8.GetBytes(body));
        }
        Assert.True(sent > 500, $"only {sent} requests were sent: the document's operations were not found");
        Assert.True(adminReached > 100, $"only {adminReached} WireMock admin requests got past authentication: " + string.Join(", ", adminStatuses.Distinct().Take(60)));
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests got a 5xx:\n" + string.Join("\n", failures.Distinct().Take(40)));

        Task SendAsync(string method, string url, byte[]? body) => SendWithAsync(client, method, url, body);

        async Task SendWithAsync(HttpClient with, string method, string url, byte[]? body)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", url.Contains("merge", StringComparison.Ordinal) ? "application/merge-patch+json" : "application/json");
            }
            sent++;
            using var response = await with.SendAsync(request, HttpCompletionOption.ResponseHeadersRead); // a stream (the live log) is not read to its end
            if (url.Contains("/__admin/", StringComparison.Ordinal))
            {
                adminStatuses.Add($"{method} {url} {(int)response.StatusCode}");
                adminReached += (int)response.StatusCode is 401 or 403 or 404 ? 0 : 1;
            }
            if ((int)response.StatusCode >= 500)
            {
                var text = await response.Content.ReadAsStringAsync();
                failures.Add($"{method.ToUpperInvariant()} {url} {(body is null ? "" : Encoding.UTF8.GetString(body)[..Math.Min(120, body.Length)])} -> {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
            }
        }
    }

    private static string Fill(string path, IReadOnlyDictionary<string, string> values) =>
        System.Text.RegularExpressions.Regex.Replace(path, @"\{([^}]+)\}", m => Uri.EscapeDataString(values.GetValueOrDefault(m.Groups[1].Value.TrimEnd('*')) ?? "x")
            .Replace("%25", "%", StringComparison.Ordinal));

    private static JsonNode? RequestSchema(JsonNode document, JsonNode operation) =>
        operation["requestBody"]?["content"]?.AsObject().Select(c => c.Value?["schema"]).FirstOrDefault(s => s is not null) is { } schema ? Resolve(document, schema) : null;

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? Resolve(document, reference.TrimStart('#', '/').Split('/').Aggregate((JsonNode?)document, (node, part) => node?[part]) ?? new JsonObject())
            : schema;

    /// <summary>A body the schema describes (each property of its type), then each property set to each wrong type.</summary>
    private static IEnumerable<string> Mutations(JsonNode document, JsonNode schema)
    {
        var properties = schema["properties"]?.AsObject().ToDictionary(p => p.Key, p => Resolve(document, p.Value!)) ?? [];
        var valid = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, Example(p.Value))));
        yield return valid.ToJsonString();
        foreach (var name in properties.Keys)
        {
            foreach (var wrong in WrongValues)
            {
                var broken = valid.DeepClone().AsObject();
                broken[name] = wrong?.DeepClone();
                yield return broken.ToJsonString();
            }
        }
    }

    private static JsonNode? Example(JsonNode schema)
    {
        var type = schema["type"] switch
        {
            JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue single => single.GetValue<string>(),
            _ => null,
        };
        return type switch
        {
            "string" => JsonValue.Create("x"),
            "integer" or "number" => JsonValue.Create(1),
            "boolean" => JsonValue.Create(true),
            "array" => new JsonArray(),
            "object" => new JsonObject(),
            _ => null,
        };
    }
}
