using System.Text.Json.Nodes;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Resources;

/// <summary>json-server's relations between resources of one project, read from their grains.</summary>
public static class ResourceRelations
{
    /// <summary>
    /// Applies _embed (children whose <c>{singular}{suffix}</c>, e.g. <c>postId</c>, is the record's id) and _expand
    /// (parents); null when neither is asked. One grain call per named resource; names the project does not define are
    /// answered here (json-server embeds an empty list and expands nothing) without activating anything.
    /// </summary>
    /// <param name="route">The request's route: the project, its resources and its foreign-key suffix.</param>
    /// <param name="records">The records' resource, which knows their id field.</param>
    public static async Task<List<JsonObject>?> EnrichAsync(IGrainFactory grains, ResourceRoute route, string name, ResourceRecords records,
        IReadOnlyList<JsonObject> items, ResourceQuery query)
    {
        if (query.Embed.Length == 0 && query.Expand.Length == 0)
        {
            return null;
        }
        var projectId = route.ProjectId;
        bool Defined(string name) => route.Defined is null || route.Defined.Contains(name, StringComparer.Ordinal);
        var enriched = items.Select(item => (JsonObject)item.DeepClone()).ToList();
        // Children whose foreign key holds the parent's id with its kind: json-server embeds comments whose postId is 2,
        // not "2" (which a nested POST stores), though /posts/2/comments lists both.
        var ids = enriched.Select(item => ResourceRecords.StrictKey(item[records.IdField]) ?? "").ToArray();
        foreach (var child in query.Embed)
        {
            var children = Defined(child)
                ? await grains.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(projectId, child)).FindByAllAsync(route.ForeignKey(ResourceNames.Singular(name)), ids)
                : ids.Select(_ => Array.Empty<string>()).ToArray();
            for (var i = 0; i < enriched.Count; i++)
            {
                enriched[i][child] = new JsonArray(children[i].Select(c => JsonNode.Parse(c)).ToArray());
            }
        }
        foreach (var parent in query.Expand.Where(p => Defined(ResourceNames.Plural(p))))
        {
            var parentIds = enriched.Select(item => ResourceQuery.Text(item[route.ForeignKey(parent)])).ToArray();
            var found = await grains.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(projectId, ResourceNames.Plural(parent)))
                .FindAllAsync(parentIds.Select(id => id ?? "").ToArray());
            for (var i = 0; i < enriched.Count; i++)
            {
                if (parentIds[i] is not null && found[i] is { } json)
                {
                    enriched[i][parent] = JsonNode.Parse(json);
                }
            }
        }
        return enriched;
    }
}
