using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// Project and endpoint ids. A project id starts with <c>p_</c>, which no slug can (slugs are lowercase letters,
/// digits and hyphens), so <c>/m/{slugOrId}</c> tells the two apart without a lookup.
/// </summary>
public static partial class ProjectIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string NewProjectId() => "p_" + Random(16);

    public static string NewEndpointId() => "e_" + Random(12);

    /// <summary>Whether the value is shaped like a project id (it may still name no project).</summary>
    public static bool IsProjectId(string value) => value.StartsWith("p_", StringComparison.Ordinal) && IdPattern().IsMatch(value);

    /// <summary>Slug syntax: 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.</summary>
    public static bool IsSlug(string value) => SlugPattern().IsMatch(value);

    [GeneratedRegex("^p_[0-9a-z]{1,32}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
