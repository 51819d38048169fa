using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Schemas;

namespace OrleansMock.Grains.Resources;

/// <summary>Rules for resource definitions, and where a mock path lands among a project's resources.</summary>
public static partial class ResourceRules
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_$-]{0,62}$")]
    private static partial Regex IdFieldPattern();

    [GeneratedRegex("^[A-Za-z0-9_$-]{1,32}$")]
    private static partial Regex ForeignKeySuffixPattern();

    /// <summary>json-server's <c>--fks</c> per project: null leaves it, empty restores <c>Id</c>.</summary>
    public static string? CheckForeignKeySuffix(string? suffix) =>
        suffix is null or "" || ForeignKeySuffixPattern().IsMatch(suffix)
            ? null
            : $"foreignKeySuffix '{suffix}' is invalid: 1-32 letters, digits, '_', '$' and '-' (e.g. 'Id' for postId, '_id' for post_id; empty restores 'Id')";

    public static string? Check(ResourceSpec spec, MockLimits limits)
    {
        if (string.IsNullOrEmpty(spec.Name) || !NamePattern().IsMatch(spec.Name))
        {
            return $"resource name '{spec.Name}' is invalid: 1-63 letters, digits, '-' and '_', starting with a letter (e.g. 'posts')";
        }
        if (spec.IdField is not null && !IdFieldPattern().IsMatch(spec.IdField))
        {
            return $"idField '{spec.IdField}' is invalid: 1-63 letters, digits, '_', '$' and '-', not starting with a digit or '-' (e.g. 'uuid')";
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
            var parsed = JsonNode.Parse(spec.SeedJson);
            if (parsed is JsonObject)
            {
                return spec.IdField is null ? null : "idField applies to a collection; this seed is one object (a singular resource), which has no records to identify";
            }
            if (parsed is not JsonArray seed || seed.Any(item => item is not JsonObject))
            {
                return "seed must be a JSON array of objects (a collection) or one JSON object (a singular resource)";
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
    /// comments whose postId is 1), <c>/profile</c> (a singular resource, which has no records below it). Null when the
    /// path names no resource.
    /// </summary>
    /// <param name="names">The project's resource names (also carried on the route, for _embed and _expand).</param>
    /// <param name="singulars">Which of them are singular.</param>
    /// <param name="foreignKeySuffix">The project's suffix (null: <c>Id</c>).</param>
    public static ResourceRoute? Find(string projectId, string[] names, IReadOnlySet<string> singulars, string? foreignKeySuffix, string path)
    {
        var segments = RouteTemplate.SplitPath(path);
        bool Collection(string name) => names.Contains(name, StringComparer.Ordinal) && !singulars.Contains(name);
        ResourceRoute Route(string resource, string? recordId = null, string? parentField = null, string? parentId = null) =>
            new(projectId, resource, recordId, parentField, parentId, names, ForeignKeySuffix: foreignKeySuffix, Singular: singulars.Contains(resource));
        return segments.Length switch
        {
            1 when names.Contains(segments[0], StringComparer.Ordinal) => Route(segments[0]),
            1 when segments[0] == "db" && names.Length > 0 => Route("db") with { WholeDatabase = true },
            2 when Collection(segments[0]) && segments[1].Length > 0 => Route(segments[0], segments[1]),
            3 when Collection(segments[0]) && Collection(segments[2]) && segments[1].Length > 0 =>
                Route(segments[2], null, Route(segments[0]).ForeignKey(ResourceNames.Singular(segments[0])), segments[1]),
            _ => null,
        };
    }
}
