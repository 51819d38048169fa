namespace OrleansMock.Api.Http;

/// <summary>
/// Who owns what. Until authentication lands every caller is the one public tenant; project catalogs are already
/// keyed by owner so per-user isolation only has to change where the owner comes from.
/// </summary>
public static class Tenants
{
    public const string Current = "public";
}
