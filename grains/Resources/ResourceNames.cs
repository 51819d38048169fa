namespace OrleansMock.Grains.Resources;

/// <summary>json-server's naming convention for relations: posts -> post, categories -> category, and back.</summary>
public static class ResourceNames
{
    public static string Singular(string plural) =>
        plural.EndsWith("ies", StringComparison.Ordinal) ? plural[..^3] + "y" : plural.EndsWith('s') ? plural[..^1] : plural;

    public static string Plural(string singular) =>
        singular.EndsWith('y') && singular.Length > 1 && !"aeiou".Contains(singular[^2]) ? singular[..^1] + "ies" : singular + "s";
}
