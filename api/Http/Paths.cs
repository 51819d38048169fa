namespace OrleansMock.Api.Http;

public static class Paths
{
    /// <summary>Where mock traffic lives: <c>/m/{project}/{path}</c>.</summary>
    public const string MockPrefix = "/m";

    /// <summary>A project's WireMock admin API: <c>/m/{project}/__admin/...</c>.</summary>
    public const string WireMockAdminSegment = "/__admin";

    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> or below it (whole segments, any case).</summary>
    public static bool IsUnder(string? path, string prefix) =>
        path is not null && path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (path.Length == prefix.Length || path[prefix.Length] == '/');
}
