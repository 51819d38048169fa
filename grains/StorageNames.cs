namespace OrleansMock.Grains;

/// <summary>Names of the grain storage providers the grains ask for; the silo registers a backend under each.</summary>
public static class StorageNames
{
    /// <summary>The store for projects, endpoints and the indexes over them.</summary>
    public const string Main = "orleansmock";
}
