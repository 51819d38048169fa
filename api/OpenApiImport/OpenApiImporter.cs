using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.OpenApiImport;

/// <summary>
/// An OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML) as endpoints: one per operation, each documented
/// response one of its responses. The lowest success code (or the first documented) answers by default; the others answer
/// a request with <c>Prefer: code=404</c> (as Prism does). Bodies come from <c>example</c>/<c>examples</c>, else are
/// generated from the schema (<c>$ref</c>, <c>allOf</c>/<c>oneOf</c>/<c>anyOf</c>, formats, enums, arrays, nullable).
/// Endpoint ids are derived from method and path (<c>oas-...</c>), so a re-import updates what it made before.
/// </summary>
public static class OpenApiImporter
{
    public const string IdPrefix = "oas-";
    private const int MaxDepth = 8;

    public sealed record Result(EndpointImport[] Endpoints, string Title, string Version);

    private static readonly System.Text.RegularExpressions.Regex Overlooked = new(
        "^The field '(title|version|description)' in '[a-z]+' object is REQUIRED\\.$|is not a valid property", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>
    /// The endpoints of <paramref name="text"/>, or an error naming each problem's line or JSON pointer. With
    /// <paramref name="validate"/>, each endpoint enforces its operation's query parameters, headers and JSON body. The
    /// endpoints may take at most <paramref name="maxBytes"/> in all (a document whose operations all reference one large
    /// example would otherwise multiply it): past that the import stops with an error saying so.
    /// </summary>
    public static (Result? Result, string? Error) Read(string text, bool validate = false, long maxBytes = long.MaxValue)
    {
        var settings = new OpenApiReaderSettings();
        settings.TryAddReader("yaml", new OpenApiYamlReader());
        var format = text.TrimStart().StartsWith('{') ? "json" : "yaml";
        ReadResult read;
        try
        {
            read = OpenApiDocument.Parse(text, format, settings);
        }
        catch (Exception exception) when (exception is not (OutOfMemoryException or OperationCanceledException))
        {
            // A third-party reader on untrusted text: whatever it throws (an unsupported version such as '42', duplicate
            // keys, a type it did not expect) means the document cannot be imported, which is the caller's to fix.
            return (null, exception.Message);
        }
        // What Prism also overlooks is not a reason to refuse a document: a missing title, version or description (text
        // for people), a keyword the reader does not know (3.1's "examples" in a 3.0 schema). Anything else the reader
        // reports is.
        if (read.Diagnostic?.Errors.Where(e => !Overlooked.IsMatch(e.Message)).ToList() is { Count: > 0 } errors)
        {
            return (null, string.Join("; ", errors.Take(10).Select(e => string.IsNullOrEmpty(e.Pointer) ? e.Message : $"{e.Pointer}: {e.Message}")));
        }
        if (read.Document is not { } document)
        {
            return (null, "the document could not be read as OpenAPI");
        }
        var endpoints = new List<EndpointImport>();
        var bytes = 0L;
        foreach (var (path, item) in document.Paths ?? [])
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var (endpoint, served) = Endpoint(method.Method.ToUpperInvariant(), path, operation);
                endpoint = validate ? endpoint with { Contract = Contract(item, operation, served, document.Components?.Schemas) with { Security = Security(operation.Security ?? document.Security) } } : endpoint;
                if ((bytes += endpoint.SizeBytes()) > maxBytes)
                {
                    return (null, $"its operations make more than the {maxBytes} bytes of endpoints a project may hold (OrleansMock:Limits:MaxProjectBytes), "
                        + $"reached at {method.Method.ToUpperInvariant()} {path} (examples referenced by many operations are copied into each)");
                }
                endpoints.Add(new EndpointImport(Id(method.Method, path), endpoint));
            }
        }
        return (new Result([.. endpoints], document.Info?.Title ?? "", document.Info?.Version ?? ""), null);
    }

    /// <summary>The id an operation's endpoint has: the same on every import of the same method and path.</summary>
    public static string Id(string method, string path) =>
        IdPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{method.ToUpperInvariant()} {path}")))[..16];

    /// <summary>
    /// The operation as an endpoint, and which of its responses serves each documented code. The lowest success code (else the
    /// first documented) answers by default; each other documented response answers <c>Prefer: code=N</c> (a token of the
    /// header, in any case, not a prefix), and each named example of the default answer <c>Prefer: example=name</c>.
    /// </summary>
    private static (EndpointSpec Spec, Served Served) Endpoint(string method, string path, OpenApiOperation operation)
    {
        var documented = (operation.Responses ?? []).Select(r => (Code: r.Key, Response: r.Value)).ToList();
        // The default answer is the lowest 2xx code (2XX sorting after 2xx codes), as Prism picks it; else the `default`
        // response (served with 200); else the first.
        var successes = documented.Select((r, i) => (r.Code, Index: i)).Where(r => r.Code.StartsWith('2')).OrderBy(r => r.Code.ToUpperInvariant(), StringComparer.Ordinal).ToList();
        var main = successes.Count > 0 ? successes[0].Index
            : documented.FindIndex(r => r.Code.Equals("default", StringComparison.OrdinalIgnoreCase)) is var fallback and >= 0 ? fallback
            : 0;
        var responses = new List<ResponseDefinition>();
        var served = new Served(new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase), [], new Dictionary<string, List<MediaRule>>(StringComparer.OrdinalIgnoreCase));
        for (var i = 0; i < documented.Count; i++)
        {
            var (code, response) = documented[i];
            var status = i == main ? MainStatus(code) : Status(code, 500);
            // Named examples answer Prefer: example=name (with code=N for a response other than the default one).
            foreach (var (exampleName, example) in NamedExamples(response))
            {
                served.Examples.Add(new ExampleRule(code, exampleName, responses.Count));
                var when = Prefer("example", exampleName);
                responses.Add(Response(response, status, example) with { When = i == main ? when : Both(Prefer("code", code), when) });
            }
            var media = Alternatives(response, status, i == main ? null : code, responses);
            if (i != main)
            {
                served.Codes[code] = responses.Count;
                responses.Add(Response(response, status) with { When = Prefer("code", code) });
            }
            served.Media[code] = media;
        }
        if (documented.Count > 0)
        {
            served.Codes[documented[main].Code] = responses.Count;
        }
        foreach (var code in served.Media.Keys.ToList())
        {
            // The media type served by default is the code's own response.
            served.Media[code] = [.. served.Media[code].Select(m => m.ResponseIndex < 0 ? m with { ResponseIndex = served.Codes[code] } : m)];
        }
        responses.Add(documented.Count == 0 ? new ResponseDefinition(200, [], null, null, 0) : Response(documented[main].Response, MainStatus(documented[main].Code)));
        var name = operation.OperationId ?? operation.Summary;
        return (new EndpointSpec(method, path, responses[0], Responses: responses.Count > 1 ? [.. responses] : null, Name: name is { Length: > 200 } ? name[..200] : name), served);
    }

    /// <summary>Which of an endpoint's responses serves each documented code, each named example, and each media type of a code.</summary>
    private sealed record Served(Dictionary<string, int> Codes, List<ExampleRule> Examples, Dictionary<string, List<MediaRule>> Media);

    /// <summary>
    /// A documented response's media types in the document's order; each but the one served by default becomes a response
    /// of its own, which the request's <c>Accept</c> chooses (and <c>Prefer: media=type</c>, with <c>code=N</c> for a
    /// response other than the default answer). The default's index is filled in by the caller (-1 here).
    /// </summary>
    private static List<MediaRule> Alternatives(IOpenApiResponse response, int status, string? code, List<ResponseDefinition> responses)
    {
        if (status is 204 or 205 or 304 || response.Content is not { Count: > 0 } content || content.All(c => c.Value is null))
        {
            return []; // no content: the Accept header is not negotiated (as Prism)
        }
        var chosen = Media(content).Type;
        var media = new List<MediaRule>();
        foreach (var type in content.Where(c => c.Value is not null).Select(c => c.Key)) // a key that is no media type object is skipped
        {
            if (type == chosen)
            {
                media.Add(new MediaRule(type, -1));
                continue;
            }
            media.Add(new MediaRule(type, responses.Count));
            responses.Add(Response(response, status, mediaType: type) with { When = code is null ? Prefer("media", type) : Both(Prefer("code", code), Prefer("media", type)) });
        }
        return media;
    }

    private static RequestMatch Both(RequestMatch a, RequestMatch b) =>
        new(Headers: new Dictionary<string, ValueMatcher> { ["Prefer"] = new(And: [a.Headers!["Prefer"], b.Headers!["Prefer"]]) });

    /// <summary>
    /// An operation's security requirements (its own, else the document's) as credentials to look for: alternatives, each
    /// a list a request must all carry. Null when there are none; a scheme the document does not define is skipped.
    /// </summary>
    private static SecurityRule[][]? Security(IList<OpenApiSecurityRequirement>? requirements) =>
        requirements is not { Count: > 0 } ? null
            : [.. requirements.Select(requirement => requirement.Keys.Select(Rule).OfType<SecurityRule>().ToArray())];

    private static SecurityRule? Rule(OpenApiSecuritySchemeReference scheme)
    {
        try
        {
            return scheme.Type switch
            {
                SecuritySchemeType.Http when string.Equals(scheme.Scheme, "basic", StringComparison.OrdinalIgnoreCase) => new SecurityRule("basic"),
                SecuritySchemeType.Http when string.Equals(scheme.Scheme, "digest", StringComparison.OrdinalIgnoreCase) => new SecurityRule("digest"),
                SecuritySchemeType.Http or SecuritySchemeType.OAuth2 or SecuritySchemeType.OpenIdConnect => new SecurityRule("bearer"),
                SecuritySchemeType.ApiKey when scheme.Name is { Length: > 0 } name => new SecurityRule(scheme.In switch
                {
                    ParameterLocation.Query => "query",
                    ParameterLocation.Cookie => "cookie",
                    _ => "header",
                }, name),
                _ => null,
            };
        }
        catch (InvalidOperationException)
        {
            return null; // a reference to a scheme the document does not define
        }
    }

    /// <summary>A condition on the <c>Prefer</c> header holding <paramref name="key"/>=<paramref name="value"/> as one of its tokens (RFC 7240).</summary>
    private static RequestMatch Prefer(string key, string value) => new(Headers: new Dictionary<string, ValueMatcher>
    {
        ["Prefer"] = new(Matches: $"(?i)(^|[\\s,;]){System.Text.RegularExpressions.Regex.Escape(key)}={System.Text.RegularExpressions.Regex.Escape(value)}($|[\\s,;])"),
    });

    /// <summary>The named examples of a response's media type (JSON first), when it has more than none.</summary>
    private static IEnumerable<(string Name, JsonNode? Value)> NamedExamples(IOpenApiResponse response) =>
        response.Content is { Count: > 0 } content && Media(content).Media?.Examples is { Count: > 0 } examples
            ? examples.Where(e => e.Value.Value is not null).Select(e => (e.Key, e.Value.Value))
            : [];

    /// <summary>
    /// The operation's path and query parameters and headers (its path item's too), its JSON body and its responses'
    /// JSON bodies, as JSON Schema texts.
    /// </summary>
    private static RequestContract Contract(IOpenApiPathItem item, OpenApiOperation operation, Served served, IDictionary<string, IOpenApiSchema>? components)
    {
        var parameters = (item.Parameters ?? []).Concat(operation.Parameters ?? [])
            .Where(p => p.In is ParameterLocation.Query or ParameterLocation.Header or ParameterLocation.Path && p.Name is not null)
            .GroupBy(p => (p.In, p.Name)).Select(g => g.Last()) // an operation's parameter overrides its path item's
            .Select(p => new ParameterRule(p.In switch { ParameterLocation.Header => "header", ParameterLocation.Path => "path", _ => "query" },
                p.Name!, p.Required || p.In == ParameterLocation.Path, SchemaJson(p.Schema, components), p.Explode, p.Style switch
                {
                    ParameterStyle.SpaceDelimited => "spaceDelimited",
                    ParameterStyle.PipeDelimited => "pipeDelimited",
                    ParameterStyle.DeepObject => "deepObject",
                    ParameterStyle.Form => "form",
                    _ => null,
                }))
            .ToArray();
        var content = operation.RequestBody?.Content;
        var body = JsonContent(content);
        var form = body is null ? content?.FirstOrDefault(c => c.Key.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)).Value : null;
        var responses = (operation.Responses ?? [])
            .Select(r => new ResponseRule(r.Key, SchemaJson(JsonContent(r.Value.Content)?.Schema, components), served.Codes.TryGetValue(r.Key, out var index) ? index : null,
                served.Media.TryGetValue(r.Key, out var media) ? [.. media] : null)).ToArray();
        return new RequestContract(parameters, SchemaJson((body ?? form)?.Schema, components), operation.RequestBody?.Required ?? false, responses.Length > 0 ? responses : null,
            content is { Count: > 0 } ? [.. content.Keys] : null, BodyIsForm: form is not null, Examples: served.Examples.Count > 0 ? [.. served.Examples] : null,
            FormFieldsWithoutReserved: form?.Encoding?.Where(e => e.Value?.AllowReserved != true).Select(e => e.Key).ToArray() is { Length: > 0 } strict ? strict : null);
    }

    private static OpenApiMediaType? JsonContent(IDictionary<string, OpenApiMediaType>? content) =>
        content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>A schema as JSON Schema (OpenAPI 3.1's dialect, <c>$ref</c>s inlined); null when it cannot be written.</summary>
    /// <param name="components">The document's component schemas, which a schema that refers back to itself keeps as <c>$defs</c>.</param>
    private static string? SchemaJson(IOpenApiSchema? schema, IDictionary<string, IOpenApiSchema>? components)
    {
        if (schema is null)
        {
            return null;
        }
        try
        {
            var json = Serialize(schema, inline: true);
            // A schema that refers back to itself cannot be inlined: what is left of #/components/schemas/ goes into
            // $defs (with what those refer to), and the references point there.
            if (!json.Contains("#/components/schemas/", StringComparison.Ordinal) || JsonNode.Parse(json) is not JsonObject root || Referenced(root).Count == 0)
            {
                return json;
            }
            var definitions = new JsonObject();
            var pending = new Queue<string>(Referenced(root));
            while (pending.TryDequeue(out var name))
            {
                if (definitions.ContainsKey(name) || components?.TryGetValue(name, out var component) != true || component is null)
                {
                    continue;
                }
                var definition = JsonNode.Parse(Serialize(component, inline: false))!;
                definitions[name] = definition;
                foreach (var next in Referenced(definition))
                {
                    pending.Enqueue(next);
                }
            }
            root["$defs"] = definitions;
            return Repoint(root).ToJsonString();
        }
        catch (Exception exception) when (exception is InvalidOperationException or OpenApiException or JsonException)
        {
            return null;
        }
    }

    private static string Serialize(IOpenApiSchema schema, bool inline)
    {
        using var text = new StringWriter();
        var writer = new OpenApiJsonWriter(text, new OpenApiJsonWriterSettings { InlineLocalReferences = inline, Terse = true });
        schema.SerializeAsV31(writer);
        text.Flush();
        return text.ToString();
    }

    /// <summary>The component schemas a schema's <c>$ref</c>s name.</summary>
    private static List<string> Referenced(JsonNode? node)
    {
        var names = new List<string>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (key, value) in o)
                    {
                        if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var target) && target.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                        {
                            names.Add(Uri.UnescapeDataString(target["#/components/schemas/".Length..]).Replace("~1", "/").Replace("~0", "~"));
                        }
                        else
                        {
                            Walk(value);
                        }
                    }
                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Walk(item);
                    }
                    break;
            }
        }
        Walk(node);
        return names;
    }

    /// <summary>Every <c>#/components/schemas/X</c> reference as <c>#/$defs/X</c>.</summary>
    private static JsonNode Repoint(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (key == "$ref" && o[key] is JsonValue v && v.TryGetValue<string>(out var target) && target.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    {
                        o[key] = "#/$defs/" + target["#/components/schemas/".Length..];
                    }
                    else if (o[key] is { } child)
                    {
                        Repoint(child);
                    }
                }
                break;
            case JsonArray a:
                foreach (var item in a.OfType<JsonNode>())
                {
                    Repoint(item);
                }
                break;
        }
        return node;
    }

    /// <summary>The default answer's status: its code, a range's first (4XX: 400, as Prism serves it), `default`'s 200.</summary>
    private static int MainStatus(string code) =>
        code.Length == 3 && code[0] is >= '2' and <= '5' && code.EndsWith("XX", StringComparison.OrdinalIgnoreCase) ? (code[0] - '0') * 100 : Status(code, 200);

    private static int Status(string code, int fallback) => int.TryParse(code, out var status) && status is >= 200 and <= 599 ? status : fallback;

    private static (string Type, OpenApiMediaType Media) Media(IDictionary<string, OpenApiMediaType> content) =>
        content.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase) && c.Value is not null) is { Value: not null } json ? (json.Key, json.Value)
            : content.FirstOrDefault(c => c.Value is not null) is { Value: not null } first ? (first.Key, first.Value) : default;

    /// <param name="example">A named example to serve instead of the first one.</param>
    /// <param name="mediaType">The media type to serve (by default JSON's, else the first).</param>
    private static ResponseDefinition Response(IOpenApiResponse response, int status, JsonNode? example = null, string? mediaType = null)
    {
        var headers = Headers(response);
        if (status is 204 or 205 or 304 || response.Content is not { Count: > 0 } content || content.All(c => c.Value is null))
        {
            return new ResponseDefinition(status, headers, null, null, 0);
        }
        var (type, media) = mediaType is null ? Media(content) : (mediaType, content[mediaType]);
        var body = example?.DeepClone()
            ?? media.Example?.DeepClone()
            ?? media.Examples?.Values.Select(e => e.Value).FirstOrDefault(v => v is not null)?.DeepClone()
            ?? Example(media.Schema, 0);
        body = WithoutNullSentinels(body);
        var isJson = type.Contains("json", StringComparison.OrdinalIgnoreCase);
        // Under a JSON media type every value is sent as JSON: a string too (quoted, as Prism sends it), which a body
        // that is a JSON string would otherwise mean as raw text. Other media types send a string as its text.
        // Under an XML media type a value that is not a string is written as XML, as Prism writes it (fast-xml-parser,
        // inside an <xml> element).
        var isString = body is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.String;
        var bodyJson = body is null ? null
            : isJson ? isString ? JsonSerializer.Serialize(body.ToJsonString(JsonText)) : body.ToJsonString(JsonText)
            : JsonSerializer.Serialize(isString ? body.GetValue<string>() : IsXml(type) ? Xml("xml", body) : body.ToJsonString(JsonText));
        return new ResponseDefinition(status, headers, bodyJson, type, 0);
    }

    /// <summary>
    /// <paramref name="node"/> with the reader's stand-in for a JSON null (a sentinel string, e.g. an example
    /// <c>ending_before: null</c>) made null again: served as it was written, not as the sentinel's text.
    /// </summary>
    private static JsonNode? WithoutNullSentinels(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue when JsonNullSentinel.IsJsonNullSentinel(node):
                return null;
            case JsonObject members:
                foreach (var key in members.Select(m => m.Key).ToList())
                {
                    var child = members[key];
                    var cleaned = WithoutNullSentinels(child);
                    if (!ReferenceEquals(cleaned, child))
                    {
                        members[key] = cleaned;
                    }
                }
                return members;
            case JsonArray items:
                for (var i = 0; i < items.Count; i++)
                {
                    var cleaned = WithoutNullSentinels(items[i]);
                    if (!ReferenceEquals(cleaned, items[i]))
                    {
                        items[i] = cleaned;
                    }
                }
                return items;
            default:
                return node;
        }
    }

    private static bool IsXml(string mediaType)
    {
        var type = mediaType.Split(';')[0].Trim();
        return type.Equals("application/xml", StringComparison.OrdinalIgnoreCase) || type.Equals("text/xml", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A JSON value as XML elements named <paramref name="name"/>: members as child elements, an array as repeated elements.</summary>
    private static string Xml(string name, JsonNode? node) => node switch
    {
        JsonObject members => $"<{name}>{string.Concat(members.Select(m => Xml(m.Key, m.Value)))}</{name}>",
        JsonArray items => string.Concat(items.Select(item => Xml(name, item))),
        JsonValue value => $"<{name}>{System.Security.SecurityElement.Escape(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString())}</{name}>",
        _ => $"<{name}></{name}>",
    };

    /// <summary>
    /// A response's documented headers, each with its example, else a value generated from its schema (as Prism sends
    /// them); <c>Content-Type</c> and <c>Content-Length</c> are ours to write.
    /// </summary>
    private static Dictionary<string, string> Headers(IOpenApiResponse response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, header) in response.Headers ?? new Dictionary<string, IOpenApiHeader>())
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = WithoutNullSentinels(header.Example ?? header.Examples?.Values.Select(e => e.Value).FirstOrDefault(v => v is not null) ?? Example(header.Schema, 0));
            if (value is not null)
            {
                headers[name] = value is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : value.ToJsonString(JsonText);
            }
        }
        return headers;
    }

    // Examples keep their characters: ß, + and & as written (not \u00DF, \u002B, \u0026), as JSON.stringify writes them.
    private static readonly JsonSerializerOptions JsonText = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An example value for <paramref name="schema"/>: its own example, default or first enum, else one built from its type.</summary>
    public static JsonNode? Example(IOpenApiSchema? schema, int depth) => Example(schema, depth, []);

    /// <param name="refs">The components referenced on the way here: a component met a third time on one path is
    /// sampled as <c>{}</c>, as Prism's sampler stops a recursive schema (two levels deep, then an empty object).</param>
    private static JsonNode? Example(IOpenApiSchema? schema, int depth, System.Collections.Immutable.ImmutableList<string> refs)
    {
        if (schema is null || depth > MaxDepth)
        {
            return null;
        }
        if (schema is OpenApiSchemaReference { Reference.Id: { } id })
        {
            if (refs.Count(r => r == id) >= 2)
            {
                return new JsonObject();
            }
            refs = refs.Add(id);
        }
#pragma warning disable CS0618 // OpenAPI 3.0's single "example" is still where 3.0 documents put it
        var example = schema.Example;
#pragma warning restore CS0618
        if ((example ?? schema.Examples?.FirstOrDefault() ?? schema.Default ?? schema.Enum?.FirstOrDefault()) is { } given)
        {
            return given.DeepClone();
        }
        if (schema.Const is { } constant)
        {
            return JsonValue.Create(constant);
        }
        if (schema.AllOf is { Count: > 0 } all)
        {
            var merged = new JsonObject();
            foreach (var part in all.Select(s => Example(s, depth + 1, refs)).OfType<JsonObject>())
            {
                foreach (var (key, value) in part)
                {
                    merged[key] = value?.DeepClone();
                }
            }
            foreach (var (key, value) in Properties(schema, depth, refs))
            {
                merged[key] = value;
            }
            return merged;
        }
        if ((schema.OneOf is { Count: > 0 } ? schema.OneOf : schema.AnyOf) is { Count: > 0 } choices)
        {
            return Example(choices[0], depth + 1, refs);
        }
        var type = (schema.Type ?? (schema.Properties is { Count: > 0 } ? JsonSchemaType.Object : schema.Items is not null ? JsonSchemaType.Array : 0)) & ~JsonSchemaType.Null;
        return type switch
        {
            _ when type.HasFlag(JsonSchemaType.Object) => Properties(schema, depth, refs),
            _ when type.HasFlag(JsonSchemaType.Array) => new JsonArray(Example(schema.Items, depth + 1, refs) is { } item ? [item] : []),
            _ when type.HasFlag(JsonSchemaType.String) => JsonValue.Create(Text(schema.Format)),
            _ when type.HasFlag(JsonSchemaType.Integer) => JsonValue.Create((long)Minimum(schema)),
            _ when type.HasFlag(JsonSchemaType.Number) => JsonValue.Create(Minimum(schema)),
            _ when type.HasFlag(JsonSchemaType.Boolean) => JsonValue.Create(true),
            _ => null,
        };
    }

    private static JsonObject Properties(IOpenApiSchema schema, int depth, System.Collections.Immutable.ImmutableList<string> refs)
    {
        var json = new JsonObject();
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            json[name] = Example(property, depth + 1, refs);
        }
        if (schema.Properties is not { Count: > 0 } && schema.AdditionalProperties is { } additional)
        {
            // A map: two sample entries, named as Prism's sampler names them.
            json["property1"] = Example(additional, depth + 1, refs);
            json["property2"] = Example(additional, depth + 1, refs);
        }
        return json;
    }

    private static double Minimum(IOpenApiSchema schema) =>
        double.TryParse(schema.Minimum ?? schema.ExclusiveMinimum, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var minimum)
            ? Math.Max(minimum, 0)
            : 0;

    private static string Text(string? format) => format switch
    {
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "time" => "12:00:00",
        "email" => "user@example.com",
        "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "uri" or "url" => "https://example.com/",
        "hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" => "ZXhhbXBsZQ==",
        "password" => "********",
        _ => "string",
    };
}
