using System.Security.Cryptography;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// Project and endpoint ids. A project id starts with <c>p_</c>, which no slug can (slugs are lowercase letters,
/// digits and hyphens), so <c>/m/{slugOrId}</c> tells the two apart without a lookup.
/// </summary>
public static class ProjectIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string NewProjectId() => "p_" + Random(16);

    public static string NewEndpointId() => "e_" + Random(12);

    public static bool IsProjectId(string value) => value.StartsWith("p_", StringComparison.Ordinal);

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
