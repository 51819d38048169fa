namespace OrleansMock.Tests.Http;

/// <summary>The HTTP tests that share one in-process service (<see cref="ApiFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
