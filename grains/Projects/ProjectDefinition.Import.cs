using System.Text.RegularExpressions;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>Many endpoints in one change: WireMock's mapping imports and resets.</summary>
public sealed partial class ProjectDefinition
{
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex EndpointIdPattern();

    /// <summary>
    /// Adds or replaces each item in turn, all or none; the first failure names its item (<c>mappings[3]: ...</c>).
    /// With <paramref name="replaceAll"/>, the endpoints not named by an item's id go first, as do those in
    /// <paramref name="deleteIds"/>. With <paramref name="newestWins"/>, an item that answers exactly the requests an
    /// existing endpoint answers replaces it (WireMock serves the newest of such mappings); without, that is a conflict.
    /// </summary>
    public Change<EndpointInfo[]> ImportEndpoints(EndpointImport[] items, bool replaceAll, string[] deleteIds, bool newestWins, MockLimits limits,
        Func<string> newId, DateTimeOffset now)
    {
        var ids = items.Where(i => i.Id is not null).Select(i => i.Id!).ToHashSet(StringComparer.Ordinal);
        var deleted = deleteIds.ToHashSet(StringComparer.Ordinal);
        var next = replaceAll || deleted.Count > 0 ? With(Endpoints.Where(e => (!replaceAll || ids.Contains(e.Id)) && !deleted.Contains(e.Id)).ToList()) : this;
        var imported = new List<EndpointInfo>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var (id, spec) = (items[i].Id, items[i].Spec);
            if (id is not null && !EndpointIdPattern().IsMatch(id))
            {
                return Change<EndpointInfo[]>.Fail(OutcomeKind.Invalid, $"mappings[{i}].id '{id}' is invalid: 1-64 letters, digits, '-' and '_' (a UUID is fine)");
            }
            if (newestWins && next.AnsweringSame(spec, id) is { } same)
            {
                next = next.With(next.Endpoints.Where(e => e.Id != same.Id).ToList());
            }
            var change = id is not null && next.IndexOf(id) >= 0
                ? next.ReplaceEndpoint(id, spec, null, limits, now, keepContract: false)
                : next.AddEndpoint(spec, limits, id ?? newId(), now);
            if (change.Next is null)
            {
                return Change<EndpointInfo[]>.Fail(change.Outcome.Kind, $"mappings[{i}]: {change.Outcome.Error}");
            }
            next = change.Next;
            imported.Add(change.Outcome.Value!);
        }
        return new(Outcome<EndpointInfo[]>.Ok([.. imported]), next);
    }
}
