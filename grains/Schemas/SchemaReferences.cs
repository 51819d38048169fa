using System.Text.Json;

namespace OrleansMock.Grains.Schemas;

/// <summary>
/// What a schema refers to, checked before it is used: <c>$schema</c> names a draft we know, every <c>$ref</c>
/// resolves inside the document (nothing is fetched), and no chain of references and in-place applicators
/// (<c>allOf</c>, <c>not</c>, <c>if</c>...) leads back to where it started, which would recurse forever on any input.
/// </summary>
internal static class SchemaReferences
{
    private static readonly string[] ArrayApplicators = ["allOf", "anyOf", "oneOf"];
    private static readonly string[] SchemaApplicators = ["not", "if", "then", "else"];
    private static readonly string[] MapApplicators = ["dependentSchemas", "dependencies"];
    private static readonly string[] References = ["$ref", "$dynamicRef", "$recursiveRef"];

    /// <summary>Keywords whose values are data, not schemas: a "$ref" inside them is just a member name.</summary>
    private static readonly HashSet<string> DataKeywords = new(StringComparer.Ordinal) { "const", "enum", "default", "examples" };

    public static void Check(JsonElement root)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        var objects = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var anchors = new Dictionary<string, string>(StringComparer.Ordinal);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(root, "", values, objects, anchors, ids);

        var edges = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (pointer, schema) in objects)
        {
            var next = edges[pointer] = [];
            if (schema.TryGetProperty("$schema", out var dialect))
            {
                CheckDialect(pointer, dialect);
            }
            foreach (var keyword in References)
            {
                if (schema.TryGetProperty(keyword, out var reference) && reference.ValueKind == JsonValueKind.String)
                {
                    next.Add(Resolve(pointer, keyword, reference.GetString()!, values, anchors, ids));
                }
            }
            foreach (var keyword in ArrayApplicators)
            {
                if (schema.TryGetProperty(keyword, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    next.AddRange(Enumerable.Range(0, list.GetArrayLength()).Select(i => $"{pointer}/{keyword}/{i}"));
                }
            }
            foreach (var keyword in SchemaApplicators)
            {
                if (schema.TryGetProperty(keyword, out _))
                {
                    next.Add($"{pointer}/{keyword}");
                }
            }
            foreach (var keyword in MapApplicators)
            {
                if (schema.TryGetProperty(keyword, out var map) && map.ValueKind == JsonValueKind.Object)
                {
                    next.AddRange(map.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).Select(p => $"{pointer}/{keyword}/{Escape(p.Name)}"));
                }
            }
        }
        FindLoop(edges);
    }

    private static void CheckDialect(string pointer, JsonElement dialect)
    {
        var id = dialect.ValueKind == JsonValueKind.String ? dialect.GetString()!.TrimEnd('#') : "";
        if (!ResourceSchema.KnownDialectIds.Any(known => string.Equals(known.TrimEnd('#'), id, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ResourceSchemaException(
                $"$schema at '{Where(pointer)}' is '{dialect}', which is not a draft this service knows; use one of {string.Join(", ", ResourceSchema.KnownDialectIds)} or leave it out (2020-12)");
        }
    }

    private static string Resolve(string pointer, string keyword, string reference, HashSet<string> values,
        Dictionary<string, string> anchors, Dictionary<string, string> ids)
    {
        var hash = reference.IndexOf('#');
        var baseUri = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? "" : Uri.UnescapeDataString(reference[(hash + 1)..]);
        string start;
        if (baseUri.Length == 0)
        {
            start = "";
        }
        else if (!ids.TryGetValue(baseUri, out start!))
        {
            throw new ResourceSchemaException(
                $"{keyword} '{reference}' at '{Where(pointer)}' points outside this schema; only references inside it (\"#/$defs/...\") are followed, nothing is fetched");
        }
        string target;
        if (fragment.Length == 0 || fragment.StartsWith('/'))
        {
            target = start + fragment;
        }
        else if (!anchors.TryGetValue(fragment, out target!))
        {
            throw new ResourceSchemaException($"{keyword} '{reference}' at '{Where(pointer)}' names no $anchor of this schema");
        }
        return values.Contains(target)
            ? target
            : throw new ResourceSchemaException($"{keyword} '{reference}' at '{Where(pointer)}' cannot be resolved: this schema has nothing at '{Where(target)}'");
    }

    /// <summary>A cycle among in-place edges: evaluating any schema on it would never end.</summary>
    private static void FindLoop(Dictionary<string, List<string>> edges)
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path, true: done
        foreach (var start in edges.Keys)
        {
            if (state.ContainsKey(start))
            {
                continue;
            }
            var stack = new Stack<(string Node, int Next)>();
            stack.Push((start, 0));
            state[start] = false;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var targets = edges.GetValueOrDefault(node) ?? [];
                if (next < targets.Count)
                {
                    stack.Push((node, next + 1));
                    var target = targets[next];
                    if (state.TryGetValue(target, out var done))
                    {
                        if (!done)
                        {
                            throw new ResourceSchemaException(
                                $"the schema at '{Where(target)}' refers back to itself through '{Where(node)}' without reading any part of the record (an endless loop)");
                        }
                        continue;
                    }
                    state[target] = false;
                    stack.Push((target, 0));
                }
                else
                {
                    state[node] = true;
                }
            }
        }
    }

    private static void Collect(JsonElement element, string pointer, HashSet<string> values, Dictionary<string, JsonElement> objects,
        Dictionary<string, string> anchors, Dictionary<string, string> ids)
    {
        values.Add(pointer);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                objects[pointer] = element;
                if (element.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String)
                {
                    anchors.TryAdd(anchor.GetString()!, pointer);
                }
                if (element.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    ids.TryAdd(id.GetString()!.TrimEnd('#'), pointer);
                }
                foreach (var property in element.EnumerateObject().Where(p => !DataKeywords.Contains(p.Name)))
                {
                    Collect(property.Value, $"{pointer}/{Escape(property.Name)}", values, objects, anchors, ids);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, $"{pointer}/{index++}", values, objects, anchors, ids);
                }
                break;
        }
    }

    private static string Escape(string name) => name.Replace("~", "~0").Replace("/", "~1");

    private static string Where(string pointer) => "#" + pointer;
}
