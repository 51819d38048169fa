using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>GraphQL mocks through the real front end: GraphQL over HTTP, schema validation, values, generated data, budgets.</summary>
[Collection(ApiCollection.Name)]
public sealed class GraphQlMockTests(ApiFixture fixture)
{
    private const string Schema = """
        type Query {
          user(id: ID!): User
          users: [User!]!
          search(text: String): [SearchResult!]!
          node: Node
        }
        type Mutation { createUser(name: String!): User! }
        type User { id: ID! name: String! email: String age: Int role: Role! friends: [User!]! }
        type Post { id: ID! title: String! }
        union SearchResult = User | Post
        enum Role { ADMIN EDITOR VIEWER }
        type Node { id: ID! children: [Node!]! }
        """;

    private HttpClient Client => fixture.Client;

    private async Task<string> ProjectAsync(object? values = null, object? request = null, int priority = 5)
    {
        var slug = (await Client.CreateProjectAsync()).GetProperty("slug").GetString()!;
        await EndpointAsync(slug, values, request, priority);
        return slug;
    }

    private Task<JsonElement> EndpointAsync(string slug, object? values, object? request = null, int priority = 5) =>
        Client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new { method = "ANY", path = "/graphql", priority, request, graphql = new { schema = Schema, values } }));

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string slug, string query, object? variables = null, string? operationName = null,
        string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/m/{slug}/graphql") { Content = Payload(JsonSerializer.Serialize(new { query, variables, operationName })) };
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }
        var response = await Client.SendAsync(request);
        return (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    [Fact]
    public async Task Declared_values_answer_with_variables_aliases_fragments_and_typename()
    {
        var slug = await ProjectAsync(new Dictionary<string, object> { ["Query.user"] = new { id = "{{args.id}}", name = "Ada", role = "ADMIN" } });
        var (response, body) = await PostAsync(slug, "query Q($id: ID!) { a: user(id: $id) { ...F __typename role } } fragment F on User { id name }", new { id = "7" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var user = body.GetProperty("data").GetProperty("a");
        Assert.Equal("7", user.GetProperty("id").GetString());
        Assert.Equal("Ada", user.GetProperty("name").GetString());
        Assert.Equal("User", user.GetProperty("__typename").GetString());
        Assert.Equal("ADMIN", user.GetProperty("role").GetString());
        Assert.False(body.TryGetProperty("errors", out _));
    }

    [Fact]
    public async Task Fields_without_values_are_generated_from_their_types_the_same_for_the_same_query()
    {
        var slug = await ProjectAsync();
        const string query = "{ users { id name email age role friends { id } } search { __typename } }";
        var (_, first) = await PostAsync(slug, query);
        var (_, second) = await PostAsync(slug, query);
        Assert.Equal(first.GetRawText(), second.GetRawText());
        var users = first.GetProperty("data").GetProperty("users");
        Assert.Equal(3, users.GetArrayLength());
        var user = users[0];
        Assert.Contains("@", user.GetProperty("email").GetString());
        Assert.Contains(" ", user.GetProperty("name").GetString()); // a person's full name
        Assert.Contains(user.GetProperty("role").GetString(), new[] { "ADMIN", "EDITOR", "VIEWER" });
        Assert.Equal(JsonValueKind.Number, user.GetProperty("age").ValueKind);
        Assert.Equal(3, user.GetProperty("friends").GetArrayLength());
        Assert.All(first.GetProperty("data").GetProperty("search").EnumerateArray(), r => Assert.Equal("User", r.GetProperty("__typename").GetString()));
        Assert.NotEqual(users[0].GetProperty("name").GetString(), users[1].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Invalid_operations_get_GraphQL_errors_with_the_status_the_media_type_calls_for()
    {
        var slug = await ProjectAsync();
        var (json, jsonBody) = await PostAsync(slug, "{ user(id: \"1\") { nope } }");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Contains("nope", jsonBody.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.False(jsonBody.TryGetProperty("data", out _));

        var (graphql, graphqlBody) = await PostAsync(slug, "{ user(id: \"1\") { nope } }", accept: "application/graphql-response+json");
        Assert.Equal(HttpStatusCode.BadRequest, graphql.StatusCode);
        Assert.Equal("application/graphql-response+json", graphql.Content.Headers.ContentType!.MediaType);
        Assert.Contains("nope", graphqlBody.GetProperty("errors")[0].GetProperty("message").GetString());

        var (syntax, syntaxBody) = await PostAsync(slug, "{ user(id: ", accept: "application/graphql-response+json");
        Assert.Equal(HttpStatusCode.BadRequest, syntax.StatusCode);
        Assert.True(syntaxBody.GetProperty("errors").GetArrayLength() > 0);

        // Not GraphQL over HTTP at all: a problem.
        await (await Client.PostAsync($"/m/{slug}/graphql", Payload("""{"variables":{}}"""))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await Client.PostAsync($"/m/{slug}/graphql", Payload("{ users { id } }", "text/plain"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await Client.DeleteAsync($"/m/{slug}/graphql")).AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task GET_runs_queries_and_refuses_mutations_and_introspection_describes_the_schema()
    {
        var slug = await ProjectAsync();
        var get = await Client.GetAsync($"/m/{slug}/graphql?query={Uri.EscapeDataString("query Q($id: ID!) { user(id: $id) { id } }")}&variables={Uri.EscapeDataString("{\"id\":\"5\"}")}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(JsonValueKind.String, (await get.ReadJsonAsync()).GetProperty("data").GetProperty("user").GetProperty("id").ValueKind);

        var mutation = await Client.GetAsync($"/m/{slug}/graphql?query={Uri.EscapeDataString("mutation { createUser(name: \"x\") { id } }")}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, mutation.StatusCode);
        Assert.Equal("POST", mutation.Content.Headers.Allow.Single());
        var (posted, postedBody) = await PostAsync(slug, "mutation { createUser(name: \"x\") { id name } }");
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(JsonValueKind.Object, postedBody.GetProperty("data").GetProperty("createUser").ValueKind);

        var (_, schema) = await PostAsync(slug, "{ __schema { queryType { name } mutationType { name } types { name kind } } }");
        var types = schema.GetProperty("data").GetProperty("__schema").GetProperty("types").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("User", types);
        Assert.Contains("SearchResult", types);
        Assert.Equal("Mutation", schema.GetProperty("data").GetProperty("__schema").GetProperty("mutationType").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_schema_or_values_that_cannot_be_mocked_are_refused_at_save_naming_the_line()
    {
        var slug = (await Client.CreateProjectAsync()).GetProperty("slug").GetString()!;
        async Task<string> RefusedAsync(object graphql) =>
            await (await Client.PostAsync($"/api/v1/projects/{slug}/endpoints", Payload(JsonSerializer.Serialize(new { method = "POST", path = "/graphql", graphql }))))
                .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var syntax = await RefusedAsync(new { schema = "type Query {\n  user(: User\n}" });
        Assert.Contains("response.graphql: line 2", syntax);
        var unknown = await RefusedAsync(new { schema = "type Query {\n  user: Userr\n}" });
        Assert.Contains("Userr", unknown);
        Assert.Contains("line 2", unknown);
        // A schema nested past the parser's depth is refused, not a crash or a 500.
        Assert.Contains("cannot be read", await RefusedAsync(new { schema = "type Query { a: " + new string('[', 20_000) + "String" + new string(']', 20_000) + " }" }));
        var values = await RefusedAsync(new { schema = "type Query { user: String }", values = new Dictionary<string, object> { ["Query.nope"] = 1 } });
        Assert.Contains("values.Query.nope", values);
        await (await Client.PostAsync($"/api/v1/projects/{slug}/endpoints", Payload("""{"method":"POST","path":"/graphql","graphql":{}}""")))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Conditions_choose_between_GraphQL_endpoints_by_operation_and_the_journal_logs_them()
    {
        var slug = await ProjectAsync(new Dictionary<string, object> { ["Query.user"] = new { name = "fallback" } });
        await EndpointAsync(slug, new Dictionary<string, object> { ["Query.user"] = new { name = "for GetAda" } },
            new { body = new[] { new { matchesJsonPath = new { expression = "$.operationName", equalTo = "GetAda" } } } }, priority: 1);
        var (_, ada) = await PostAsync(slug, "query GetAda { user(id: 1) { name } }", operationName: "GetAda");
        Assert.Equal("for GetAda", ada.GetProperty("data").GetProperty("user").GetProperty("name").GetString());
        var (_, other) = await PostAsync(slug, "query Other { user(id: 1) { name } }", operationName: "Other");
        Assert.Equal("fallback", other.GetProperty("data").GetProperty("user").GetProperty("name").GetString());

        var log = await (await Client.GetAsync($"/api/v1/projects/{slug}/requests?limit=2")).ReadJsonAsync();
        var newest = log.GetProperty("items")[0];
        Assert.Equal(200, newest.GetProperty("status").GetInt32());
        Assert.StartsWith("e_", newest.GetProperty("endpointId").GetString());
        Assert.Contains("Other", newest.GetProperty("bodyPreview").GetString());
    }

    [Fact]
    public async Task A_query_that_would_answer_without_bound_is_stopped_by_its_budget()
    {
        var slug = await ProjectAsync();
        // Three generated children per level: twelve levels would be 3^12 = 531,441 nodes.
        var nested = "id";
        for (var i = 0; i < 12; i++)
        {
            nested = $"id children {{ {nested} }}";
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (response, body) = await PostAsync(slug, $"{{ node {{ {nested} }} }}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("budget"));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");

        var deep = "id";
        for (var i = 0; i < 40; i++)
        {
            deep = $"children {{ {deep} }}";
        }
        var (_, deepBody) = await PostAsync(slug, $"{{ node {{ {deep} }} }}");
        Assert.True(deepBody.GetProperty("errors").GetArrayLength() > 0);
    }
}
