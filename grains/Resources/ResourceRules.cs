using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Resources;

/// <summary>Rules for resource definitions, and where a mock path lands among a project's resources.</summary>
public static partial class ResourceRules
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    public static string? Check(ResourceSpec spec, MockLimits limits)
    {
        if (string.IsNullOrEmpty(spec.Name) || !NamePattern().IsMatch(spec.Name))
        {
            return $"resource name '{spec.Name}' is invalid: 1-63 letters, digits, '-' and '_', starting with a letter (e.g. 'posts')";
        }
        if (CheckSchema(spec.SchemaJson) is { } schemaError)
        {
            return schemaError;
        }
        if (spec.SeedJson is null)
        {
            return null;
        }
        if (Encoding.UTF8.GetByteCount(spec.SeedJson) > limits.MaxRecordBytes * 16L)
        {
            return $"seed is larger than {limits.MaxRecordBytes * 16} bytes; load big data sets with POSTs";
        }
        try
        {
            if (JsonNode.Parse(spec.SeedJson) is not JsonArray seed || seed.Any(item => item is not JsonObject))
            {
                return "seed must be a JSON array of objects";
            }
            return seed.Count > limits.MaxRecordsPerResource ? $"seed has {seed.Count} records; the limit is {limits.MaxRecordsPerResource}" : null;
        }
        catch (JsonException)
        {
            return "seed is not valid JSON";
        }
    }

    private static string? CheckSchema(string? schemaJson)
    {
        try
        {
            ResourceSchema.Compile(schemaJson);
            return null;
        }
        catch (ResourceSchemaException exception)
        {
            return $"schema is not a usable JSON Schema: {exception.Message}";
        }
    }

    /// <summary>
    /// <c>/posts</c> (the collection), <c>/posts/1</c> (a record), <c>/posts/1/comments</c> (the children of post 1:
    /// comments whose postId is 1). Null when the path names no resource.
    /// </summary>
    /// <param name="names">The project's resource names (also carried on the route, for _embed and _expand).</param>
    public static ResourceRoute? Find(string projectId, string[] names, string path)
    {
        var segments = Routing.RouteTemplate.SplitPath(path);
        bool Exists(string name) => names.Contains(name, StringComparer.Ordinal);
        string[] Defined() => names;
        return segments.Length switch
        {
            1 when Exists(segments[0]) => new ResourceRoute(projectId, segments[0], null, null, null, Defined()),
            1 when segments[0] == "db" && names.Length > 0 => new ResourceRoute(projectId, "db", null, null, null, Defined(), WholeDatabase: true),
            2 when Exists(segments[0]) && segments[1].Length > 0 => new ResourceRoute(projectId, segments[0], segments[1], null, null, Defined()),
            3 when Exists(segments[0]) && Exists(segments[2]) && segments[1].Length > 0 =>
                new ResourceRoute(projectId, segments[2], null, ResourceNames.Singular(segments[0]) + "Id", segments[1], Defined()),
            _ => null,
        };
    }
}
