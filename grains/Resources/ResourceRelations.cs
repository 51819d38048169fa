using System.Text.Json.Nodes;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Resources;

/// <summary>json-server's relations between resources of one project, read from their grains.</summary>
public static class ResourceRelations
{
    /// <summary>
    /// Applies _embed (children by the <c>{singular}Id</c> convention) and _expand (parents); null when neither is asked.
    /// One grain call per named resource; names the project does not define are answered here (json-server embeds
    /// an empty list and expands nothing) without activating anything.
    /// </summary>
    public static async Task<List<JsonObject>?> EnrichAsync(IGrainFactory grains, string projectId, string name,
        IReadOnlyList<JsonObject> items, ResourceQuery query, string[]? defined)
    {
        if (query.Embed.Length == 0 && query.Expand.Length == 0)
        {
            return null;
        }
        bool Defined(string name) => defined is null || defined.Contains(name, StringComparer.Ordinal);
        var enriched = items.Select(item => (JsonObject)item.DeepClone()).ToList();
        var ids = enriched.Select(item => ResourceRecords.IdOf(item) ?? "").ToArray();
        foreach (var child in query.Embed)
        {
            var children = Defined(child)
                ? await grains.GetGrain<IMockResourceGrain>(ResourceKeys.Grain(projectId, child)).FindByAllAsync(ResourceNames.Singular(name) + "Id", ids)
                : ids.Select(_ => Array.Empty<string>()).ToArray();
            for (var i = 0; i < enriched.Count; i++)
            {
                enriched[i][child] = new JsonArray(children[i].Select(c => JsonNode.Parse(c)).ToArray());
            }
        }
        foreach (var parent in query.Expand.Where(p => Defined(ResourceNames.Plural(p))))
        {
            var parentIds = enriched.Select(item => ResourceQuery.Text(item[parent + "Id"])).ToArray();
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
