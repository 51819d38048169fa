using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;
using static OrleansMock.Api.Http.ImportedJson;

namespace OrleansMock.Api.Postman;

/// <summary>
/// Postman Collection v2.1 (and v2.0) in and out. Folders are flattened (an item's name is prefixed by its folders:
/// <c>Users / Create</c>); <c>{{variables}}</c> stay as written, and the collection's <c>variable</c> list becomes an
/// environment; raw, urlencoded and graphql bodies, headers (disabled ones dropped) and bearer/basic/apikey auth
/// (inherited from folders and the collection) are kept. Anything else (formdata, file bodies, other auth types) is a
/// <see cref="UnsupportedFieldException"/> naming the field.
/// </summary>
public static class PostmanCollections
{
    public const string Schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

    public sealed record Imported(string Name, CollectionItem[] Items, TesterEnvironment? Environment);

    public static Imported Import(JsonNode? document)
    {
        var root = document as JsonObject ?? throw new UnsupportedFieldException("$", "a Postman collection is a JSON object with info and item");
        var info = root["info"] as JsonObject ?? throw new UnsupportedFieldException("info", "is required (a Postman v2.1 collection has info.name and info.schema)");
        if (Text(info["schema"], "info.schema") is { } schema && !schema.Contains("v2.1", StringComparison.Ordinal) && !schema.Contains("v2.0", StringComparison.Ordinal))
        {
            throw new UnsupportedFieldException("info.schema", $"'{schema}' is not a Postman collection v2.0 or v2.1 schema");
        }
        var name = Text(info["name"], "info.name") is { Length: > 0 } given ? given : "Imported collection";
        var items = new List<CollectionItem>();
        Flatten(root["item"] as JsonArray ?? throw new UnsupportedFieldException("item", "is required: the collection's requests and folders"), "item", "", root["auth"], items);
        TesterEnvironment? environment = null;
        if (root["variable"] is JsonArray variables && variables.Count > 0)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < variables.Count; i++)
            {
                var variable = variables[i] as JsonObject ?? throw new UnsupportedFieldException($"variable[{i}]", "must be an object with key and value");
                if (ImportedJson.Bool(variable["disabled"], $"variable[{i}].disabled") != true && Text(variable["key"], $"variable[{i}].key") is { Length: > 0 } key)
                {
                    values[key] = Scalar(variable["value"]);
                }
            }
            environment = new TesterEnvironment("", $"{name} (variables)", values);
        }
        return new Imported(name, [.. items], environment);
    }

    private static void Flatten(JsonArray nodes, string field, string prefix, JsonNode? inheritedAuth, List<CollectionItem> items)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            var at = $"{field}[{i}]";
            var node = nodes[i] as JsonObject ?? throw new UnsupportedFieldException(at, "must be an object");
            var name = prefix + (Text(node["name"], $"{at}.name") ?? $"request {items.Count + 1}");
            var auth = node["auth"] ?? inheritedAuth;
            if (node["item"] is JsonArray children)
            {
                Flatten(children, $"{at}.item", name + " / ", auth, items);
            }
            else
            {
                items.Add(Item(node["request"], $"{at}.request", name, auth));
            }
        }
    }

    private static CollectionItem Item(JsonNode? node, string field, string name, JsonNode? inheritedAuth)
    {
        if (node is JsonValue plain)
        {
            return new CollectionItem("", "rest", name, "GET", Text(plain, field) ?? "", [], null, null, null, null);
        }
        var request = node as JsonObject ?? throw new UnsupportedFieldException(field, "must be a URL or a request object");
        var method = (Text(request["method"], $"{field}.method") ?? "GET").ToUpperInvariant();
        var url = Url(request["url"], $"{field}.url");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (request["header"] is JsonArray headerList)
        {
            for (var i = 0; i < headerList.Count; i++)
            {
                if (headerList[i] is JsonObject header && ImportedJson.Bool(header["disabled"], $"{field}.header[{i}].disabled") != true
                    && Text(header["key"], $"{field}.header[{i}].key") is { Length: > 0 } key)
                {
                    headers[key] = Scalar(header["value"]);
                }
            }
        }
        url = Auth(request["auth"] ?? inheritedAuth, $"{field}.auth", headers, url);
        if (request["body"] is not JsonObject body || Text(body["mode"], $"{field}.body.mode") is not { } mode || ImportedJson.Bool(body["disabled"], $"{field}.body.disabled") == true)
        {
            return new CollectionItem("", "rest", name, method, url, headers, null, null, null, null);
        }
        switch (mode)
        {
            case "raw":
                var options = body["options"] is { } given ? ImportedJson.Object(given, $"{field}.body.options") : null;
                var raw = options?["raw"] is { } rawOptions ? ImportedJson.Object(rawOptions, $"{field}.body.options.raw") : null;
                if (Text(raw?["language"], $"{field}.body.options.raw.language") == "json" && !headers.ContainsKey("Content-Type"))
                {
                    headers["Content-Type"] = "application/json";
                }
                return new CollectionItem("", "rest", name, method, url, headers, Text(body["raw"], $"{field}.body.raw") ?? "", null, null, null);
            case "urlencoded":
                var pairs = (body["urlencoded"] as JsonArray ?? [])
                    .OfType<JsonObject>().Where((p, i) => ImportedJson.Bool(p["disabled"], $"{field}.body.urlencoded[{i}].disabled") != true)
                    .Select(p => $"{Encode(Scalar(p["key"]))}={Encode(Scalar(p["value"]))}");
                headers.TryAdd("Content-Type", "application/x-www-form-urlencoded");
                return new CollectionItem("", "rest", name, method, url, headers, string.Join("&", pairs), null, null, null);
            case "graphql":
                var graphql = body["graphql"] as JsonObject ?? throw new UnsupportedFieldException($"{field}.body.graphql", "must be an object with query and variables");
                var variables = Text(graphql["variables"], $"{field}.body.graphql.variables") is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text) ? text : null;
                if (variables is not null && !IsJson(variables))
                {
                    throw new UnsupportedFieldException($"{field}.body.graphql.variables", "is not valid JSON");
                }
                return new CollectionItem("", "graphql", name, "POST", url, headers, null, Text(graphql["query"], $"{field}.body.graphql.query") ?? "", variables, null);
            default:
                throw new UnsupportedFieldException($"{field}.body.mode", $"'{mode}' bodies are not supported; raw, urlencoded and graphql are");
        }
    }

    /// <summary>Postman's URL: a string, or an object whose <c>raw</c> is the URL (else built from its parts).</summary>
    private static string Url(JsonNode? node, string field)
    {
        switch (node)
        {
            case null:
                throw new UnsupportedFieldException(field, "is required");
            case JsonValue value:
                return Text(value, field) ?? "";
            case JsonObject url when Text(url["raw"], $"{field}.raw") is { Length: > 0 } raw:
                return raw;
            case JsonObject url:
                var host = url["host"] is JsonArray parts ? string.Join(".", parts.Select(Scalar)) : Scalar(url["host"]);
                var path = url["path"] is JsonArray segments ? string.Join("/", segments.Select(Scalar)) : Scalar(url["path"]);
                var query = url["query"] is JsonArray q ? string.Join("&", q.OfType<JsonObject>().Select(p => $"{Scalar(p["key"])}={Scalar(p["value"])}")) : "";
                var protocol = Scalar(url["protocol"]) is { Length: > 0 } scheme ? scheme + "://" : "";
                return $"{protocol}{host}{(Scalar(url["port"]) is { Length: > 0 } port ? ":" + port : "")}/{path.TrimStart('/')}{(query.Length > 0 ? "?" + query : "")}";
            default:
                throw new UnsupportedFieldException(field, "must be a string or an object");
        }
    }

    /// <summary>bearer, basic and apikey auth as the headers (or query parameter) they send; noauth as nothing.</summary>
    private static string Auth(JsonNode? node, string field, Dictionary<string, string> headers, string url)
    {
        if (node is not JsonObject auth || Text(auth["type"], $"{field}.type") is not { } type || type == "noauth")
        {
            return url;
        }
        string Value(string key) => (auth[type] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => Scalar(p["key"]) == key) is { } pair ? Scalar(pair["value"]) : "";
        switch (type)
        {
            case "bearer":
                headers["Authorization"] = $"Bearer {Value("token")}";
                return url;
            case "basic":
                var (user, password) = (Value("username"), Value("password"));
                if ((user + password).Contains("{{", StringComparison.Ordinal))
                {
                    throw new UnsupportedFieldException($"{field}.basic", "a username or password made of {{variables}} cannot be encoded ahead of sending; give the Authorization header instead");
                }
                headers["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
                return url;
            case "apikey":
                var (key, value) = (Value("key") is { Length: > 0 } k ? k : "X-Api-Key", Value("value"));
                if (Value("in") == "query")
                {
                    return url + (url.Contains('?') ? "&" : "?") + $"{Encode(key)}={Encode(value)}";
                }
                headers[key] = value;
                return url;
            default:
                throw new UnsupportedFieldException($"{field}.type", $"'{type}' auth is not supported; bearer, basic, apikey and noauth are");
        }
    }

    /// <summary>A saved collection as Postman v2.1: what newman and Postman run.</summary>
    public static JsonObject Export(RequestCollection collection)
    {
        var items = new JsonArray();
        foreach (var item in collection.Items)
        {
            var request = new JsonObject
            {
                ["method"] = item.Kind == "graphql" ? "POST" : item.Method ?? "GET",
                ["header"] = new JsonArray([.. item.Headers.Select(h => (JsonNode?)new JsonObject { ["key"] = h.Key, ["value"] = h.Value })]),
                ["url"] = item.Url,
            };
            if (item.Kind == "graphql")
            {
                request["body"] = new JsonObject
                {
                    ["mode"] = "graphql",
                    ["graphql"] = new JsonObject { ["query"] = item.Query, ["variables"] = item.VariablesJson ?? "" },
                };
            }
            else if (item.Body is { } body)
            {
                request["body"] = new JsonObject { ["mode"] = "raw", ["raw"] = body };
            }
            items.Add(new JsonObject { ["name"] = item.Name, ["request"] = request });
        }
        return new JsonObject
        {
            ["info"] = new JsonObject { ["_postman_id"] = collection.Id, ["name"] = collection.Name, ["schema"] = Schema },
            ["item"] = items,
        };
    }

    /// <summary>Form encoding that leaves <c>{{variables}}</c> readable (they are substituted at send time).</summary>
    private static string Encode(string text) =>
        Uri.EscapeDataString(text).Replace("%7B%7B", "{{", StringComparison.Ordinal).Replace("%7D%7D", "}}", StringComparison.Ordinal);

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static bool IsJson(string text)
    {
        try
        {
            JsonNode.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
