using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// A GraphQL mock on the built service, used by real clients (tests/graphql-client): graphql-js 16 introspects it and
/// rebuilds the schema with buildClientSchema, and graphql-request 7 runs a query with variables, a mutation and an
/// invalid query.
/// </summary>
public sealed class GraphQlClientTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "graphql-" + Guid.NewGuid().ToString("N"));

    [SkippableFact]
    public async Task Graphql_js_introspects_the_mock_and_graphql_request_queries_it()
    {
        Skip.If(Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "node"))) != true,
            "no Node.js on this machine; the GraphQL client tests run graphql-js and graphql-request");
        var folder = await NodeClients.FolderAsync("graphql-client", "graphql-request/package.json");
        await using var service = await ApiProcess.StartAsync(_dataDir);
        using var client = new HttpClient { BaseAddress = service.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.RegisterAndLoginAsync());
        var slug = UniqueSlug("graphql");
        await client.CreateProjectAsync(slug);
        await client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new
        {
            method = "ANY", path = "/graphql",
            graphql = new
            {
                schema = """
                    "Someone with an account"
                    type User { id: ID! name: String! email: String role: Role! friends: [User!]! }
                    enum Role { ADMIN VIEWER }
                    type Query { user(id: ID!): User }
                    type Mutation { createUser(name: String!): User! }
                    """,
                values = new Dictionary<string, object>
                {
                    ["Query.user"] = new { id = "{{args.id}}", name = "Ada Lovelace", friends = new[] { new { name = "Charles" } } },
                    ["Mutation.createUser"] = new { id = "u-1", name = "{{args.name}}" },
                },
            },
        }));

        var run = await NodeClients.RunAsync("node", $"client.mjs {service.Address}m/{slug}/graphql", folder);
        Assert.True(run.Code == 0, run.Output);
        var result = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement;
        var sdl = result.GetProperty("sdl").GetString()!;
        Assert.Contains("type User {", sdl);
        Assert.Contains("\"Someone with an account\"", sdl);
        Assert.Contains("enum Role", sdl);
        Assert.Contains("createUser(name: String!): User!", sdl);
        Assert.StartsWith("application/graphql-response+json", result.GetProperty("contentType").GetString());
        Assert.Equal(0, result.GetProperty("problems").GetArrayLength());
        var user = result.GetProperty("data").GetProperty("user");
        Assert.Equal("42", user.GetProperty("id").GetString());
        Assert.Equal("Ada Lovelace", user.GetProperty("name").GetString());
        Assert.Equal("Charles", user.GetProperty("friends")[0].GetProperty("name").GetString());
        Assert.Contains("@", user.GetProperty("email").GetString());
        Assert.Equal("Grace", result.GetProperty("created").GetProperty("createUser").GetProperty("name").GetString());
        Assert.Contains("nope", result.GetProperty("refused").GetString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
