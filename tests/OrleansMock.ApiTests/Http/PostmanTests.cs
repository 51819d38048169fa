using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>Postman Collection v2.1 in (POST /api/v1/collections/import) and out (GET .../export?format=postman), run by newman.</summary>
[Collection(ApiCollection.Name)]
public sealed class PostmanTests(ApiFixture fixture)
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "postman", name));

    [Fact]
    public async Task Folders_variables_bodies_headers_and_auth_come_in()
    {
        var client = await fixture.NewUserClientAsync();
        var response = await client.PostAsync("/api/v1/collections/import", Payload(Fixture("shop.postman_collection.json")));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var result = await response.ReadJsonAsync();
        var collection = result.GetProperty("collection");
        Assert.Equal("Shop", collection.GetProperty("name").GetString());
        var items = collection.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        Assert.Equal(["Users / Create", "Users / Login form", "Search", "Graph"], items.Keys);

        var create = items["Users / Create"];
        Assert.Equal(("POST", "{{base}}/echo?x=1", """{"name":"{{name}}"}"""),
            (create.GetProperty("method").GetString(), create.GetProperty("url").GetString(), create.GetProperty("body").GetString()));
        var headers = create.GetProperty("headers");
        Assert.Equal(("from postman", "application/json", "Bearer {{token}}"),
            (headers.GetProperty("X-Test").GetString(), headers.GetProperty("Content-Type").GetString(), headers.GetProperty("Authorization").GetString()));
        Assert.False(headers.TryGetProperty("X-Off", out _)); // disabled

        var login = items["Users / Login form"];
        Assert.Equal("user=ada%20lovelace", login.GetProperty("body").GetString());
        Assert.Equal("Basic YWRhOnB3", login.GetProperty("headers").GetProperty("Authorization").GetString()); // its own auth wins
        Assert.Equal("http://127.0.0.1:1/echo?api_key=k1", items["Search"].GetProperty("url").GetString());
        var graph = items["Graph"];
        Assert.Equal(("graphql", """{"id":"7"}"""), (graph.GetProperty("kind").GetString(), graph.GetProperty("variablesJson").GetString()));

        var environment = result.GetProperty("environment");
        Assert.Equal("secret-token", environment.GetProperty("variables").GetProperty("token").GetString());
        // Stored with the prefix every environment has (env_, not e_: issue 33, small).
        var stored = await (await client.GetAsync("/api/v1/environments")).ReadJsonAsync();
        var ids = (stored.ValueKind == System.Text.Json.JsonValueKind.Array ? stored : stored.GetProperty("items")).EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
        Assert.Single(ids);
        Assert.StartsWith("env_", ids[0]);
    }

    [Theory]
    [InlineData("""{"info":{"name":"x","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[{"name":"f","request":{"method":"POST","url":"http://x","body":{"mode":"formdata","formdata":[]}}}]}""", "item[0].request.body.mode")]
    [InlineData("""{"info":{"name":"x","schema":"https://schema.getpostman.com/json/collection/v1.0.0/collection.json"},"item":[]}""", "info.schema")]
    [InlineData("""{"info":{"name":"x"},"item":[{"name":"a","request":{"url":"http://x","auth":{"type":"oauth2"}}}]}""", "item[0].request.auth.type")]
    [InlineData("""{"item":[]}""", "info")]
    public async Task What_cannot_be_represented_is_a_422_naming_the_field(string collection, string field)
    {
        var client = await fixture.NewUserClientAsync();
        var response = await client.PostAsync("/api/v1/collections/import", Payload(collection));
        Assert.Contains(field, await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task An_exported_collection_runs_in_newman_against_a_real_target()
    {
        var (upstream, url) = await ProxyFixture.StartUpstreamAsync();
        await using var _ = upstream;
        var client = await fixture.NewUserClientAsync();
        var collection = (await (await client.PostAsync("/api/v1/collections", Payload("""{"name":"Run me"}"""))).ReadJsonAsync()).GetProperty("id").GetString();
        await client.PostAsync($"/api/v1/collections/{collection}/items",
            Payload($$$"""{"kind":"rest","name":"echo","method":"POST","url":"{{{url}}}/echo?from=newman","headers":{"X-Test":"{{greeting}}","Content-Type":"application/json"},"body":"{\"a\":1}"}"""));
        await client.PostAsync($"/api/v1/collections/{collection}/items", Payload($$"""{"kind":"rest","name":"item","method":"GET","url":"{{url}}/items/5"}"""));

        var export = await client.GetAsync($"/api/v1/collections/{collection}/export?format=postman");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Contains(".postman_collection.json", export.Content.Headers.ContentDisposition!.ToString());
        var folder = Path.Combine(Path.GetTempPath(), "orleansmock-newman-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "run.postman_collection.json");
        await File.WriteAllTextAsync(file, await export.Content.ReadAsStringAsync());

        var newman = Path.Combine(await NodeClients.FolderAsync("newman-client", "newman/bin/newman.js"), "node_modules", "newman", "bin", "newman.js");
        var report = Path.Combine(folder, "report.json");
        var run = await NodeClients.RunAsync("node", $"\"{newman}\" run \"{file}\" --env-var greeting=hello --reporters cli,json --reporter-json-export \"{report}\"", folder);
        Assert.True(run.Code == 0, run.Output);

        var executions = JsonNode.Parse(await File.ReadAllTextAsync(report))!["run"]!["executions"]!.AsArray();
        Assert.Equal(2, executions.Count);
        Assert.All(executions, e => Assert.Equal(200, e!["response"]!["code"]!.GetValue<int>()));
        var echoed = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(executions[0]!["response"]!["stream"]!["data"]!.AsArray().Select(b => (byte)b!.GetValue<int>()).ToArray()))!;
        Assert.Equal(("POST", "?from=newman", """{"a":1}""", "hello"),
            (echoed["method"]!.GetValue<string>(), echoed["query"]!.GetValue<string>(), echoed["body"]!.GetValue<string>(), echoed["test"]!.GetValue<string>()));
    }
}
