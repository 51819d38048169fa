using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>POST /api/v1/projects/{id}/imports/openapi with documents written to exercise each feature, through the real front end.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiImportTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;
    private HttpClient Mock => fixture.Factory.CreateClient();

    private static string Document(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "openapi", name));

    private async Task<(string Id, string Base)> ProjectAsync()
    {
        var project = await Client.CreateProjectAsync();
        return (project.GetProperty("id").GetString()!, $"/m/{project.GetProperty("slug").GetString()}");
    }

    private async Task<JsonElement> ImportAsync(string id, string document, string mediaType = "application/yaml", bool dryRun = false)
    {
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi{(dryRun ? "?dryRun=true" : "")}",
            new StringContent(document, Encoding.UTF8, mediaType));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    private static string[] Paths(JsonElement plan, string part) =>
        [.. plan.GetProperty("plan").GetProperty(part).EnumerateArray().Select(i => $"{i.GetProperty("method").GetString()} {i.GetProperty("path").GetString()}").Order()];

    [Theory]
    [InlineData("application/x-www-form-urlencoded")] // what curl --data-binary sends, as README's lines do
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public async Task A_document_is_recognised_by_its_content_whatever_the_content_type(string? mediaType)
    {
        // README's file-import lines answered 415 asking for JSON, although YAML works (issue 33.4).
        var (id, _) = await ProjectAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Document("petstore.yaml")));
        if (mediaType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi?dryRun=true", content);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.NotEmpty(Paths(await response.ReadJsonAsync(), "create"));
    }

    [Fact]
    public async Task Each_operation_becomes_an_endpoint_with_examples_or_bodies_generated_from_the_schema()
    {
        var (id, b) = await ProjectAsync();
        var result = await ImportAsync(id, Document("petstore.yaml"));
        Assert.Equal(("Pet store", "1.0"), (result.GetProperty("title").GetString(), result.GetProperty("version").GetString()));
        Assert.Equal(["DELETE /pets/{petId}", "GET /owners/{ownerId}/card", "GET /pets", "GET /pets/{petId}", "POST /pets"], Paths(result, "create"));

        // allOf merged, $ref followed, formats, enums, oneOf/anyOf's first choice, arrays, nullable, minimum
        // Pinned to the document, not to our generator's own output: the answer must satisfy petstore.yaml's Pet schema
        // (transcribed below as JSON Schema, formats asserted), every property filled in as Prism's static mode does.
        var pet = await Mock.GetStringAsync($"{b}/pets/7");
        var petSchema = Json.Schema.JsonSchema.FromText("""
            {"type":"object","required":["name","tag","id","born","owner","kind","microchip","weights","vaccinated","website"],
             "properties":{"name":{"type":"string"},"tag":{"type":["string","null"]},"id":{"type":"integer","minimum":1},
              "born":{"type":"string","format":"date-time"},"owner":{"type":"string","format":"uuid"},
              "kind":{"oneOf":[{"type":"string","enum":["cat","dog"]},{"type":"integer"}]},
              "microchip":{"anyOf":[{"type":"object","required":["code"],"properties":{"code":{"type":"string","contentEncoding":"base64","pattern":"^[A-Za-z0-9+/]*={0,2}$"}}},{"type":"null"}]},
              "weights":{"type":"array","items":{"type":"number","minimum":2.5}},"vaccinated":{"type":"boolean"},
              "website":{"type":"string","format":"uri"}}}
            """);
        var verdict = petSchema.Evaluate(JsonDocument.Parse(pet).RootElement, new Json.Schema.EvaluationOptions { RequireFormatValidation = true, OutputFormat = Json.Schema.OutputFormat.List });
        Assert.True(verdict.IsValid, pet + "\n" + string.Join("\n", (verdict.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}"))));
        var list = JsonNode.Parse(await Mock.GetStringAsync($"{b}/pets?limit=5"))!.AsArray();
        Assert.Single(list);

        // a media example; another documented response on request (Prefer: code=...), as Prism does
        var created = await Mock.PostAsync($"{b}/pets", Payload("""{"name":"Rex"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Rex", (await created.ReadJsonAsync()).GetProperty("name").GetString());
        var invalid = new HttpRequestMessage(HttpMethod.Post, $"{b}/pets") { Content = Payload("{}") };
        invalid.Headers.Add("Prefer", "code=422");
        var refused = await Mock.SendAsync(invalid);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "application/problem+json"), (refused.StatusCode, refused.Content.Headers.ContentType!.MediaType));
        Assert.Equal("name is required", (await refused.ReadJsonAsync()).GetProperty("title").GetString());
        var missing = new HttpRequestMessage(HttpMethod.Get, $"{b}/pets/1");
        missing.Headers.Add("Prefer", "code=404");
        Assert.Equal("not found", (await (await Mock.SendAsync(missing)).ReadJsonAsync()).GetProperty("message").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Mock.DeleteAsync($"{b}/pets/1")).StatusCode);
        var card = await Mock.GetAsync($"{b}/owners/3/card");
        Assert.Equal(("text/plain", "user@example.com"), (card.Content.Headers.ContentType!.MediaType, await card.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Swagger_2_documents_in_json_are_imported_too()
    {
        var (id, b) = await ProjectAsync();
        var result = await ImportAsync(id, Document("swagger2.json"), "application/json");
        Assert.Equal(["GET /users/{id}"], Paths(result, "create"));
        var user = await (await Mock.GetAsync($"{b}/users/abc")).ReadJsonAsync();
        Assert.Equal(("user@example.com", 18), (user.GetProperty("email").GetString(), user.GetProperty("age").GetInt32()));
    }

    [Fact]
    public async Task Dry_run_plans_and_changes_nothing_and_a_reimport_updates_deletes_and_keeps_hand_made_endpoints()
    {
        var (id, b) = await ProjectAsync();
        var planned = await ImportAsync(id, Document("petstore.yaml"), dryRun: true);
        Assert.True(planned.GetProperty("dryRun").GetBoolean());
        Assert.Equal(5, planned.GetProperty("plan").GetProperty("create").GetArrayLength());
        await (await Mock.GetAsync($"{b}/pets")).AssertProblemAsync(HttpStatusCode.NotFound); // nothing was made

        await ImportAsync(id, Document("petstore.yaml"));
        await Client.CreateEndpointAsync(id, """{"method":"GET","path":"/health","response":{"status":200,"body":{"up":true}}}""");
        var lines = Document("petstore.yaml").Split('\n').ToList();
        var card = lines.FindIndex(l => l.StartsWith("  /owners/", StringComparison.Ordinal));
        lines.RemoveRange(card, lines.FindIndex(l => l.StartsWith("components:", StringComparison.Ordinal)) - card); // an operation gone
        var changed = string.Join('\n', lines).Replace("example: {id: 10, name: Rex, tag: dog}", "example: {id: 11, name: Max}"); // one changed
        var plan = await ImportAsync(id, changed, dryRun: true);
        Assert.Equal(["POST /pets"], Paths(plan, "update"));
        Assert.Equal(["GET /owners/{ownerId}/card"], Paths(plan, "delete"));
        Assert.Equal(3, plan.GetProperty("plan").GetProperty("unchanged").GetArrayLength());
        Assert.Empty(plan.GetProperty("plan").GetProperty("create").EnumerateArray());

        await ImportAsync(id, changed);
        Assert.Equal("Max", (await (await Mock.PostAsync($"{b}/pets", Payload("{}"))).ReadJsonAsync()).GetProperty("name").GetString());
        await (await Mock.GetAsync($"{b}/owners/3/card")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.True((await (await Mock.GetAsync($"{b}/health")).ReadJsonAsync()).GetProperty("up").GetBoolean()); // made by hand: kept
    }

    [Fact]
    public async Task With_validate_requests_that_break_the_document_get_its_own_refusal_or_a_422_listing_each_violation()
    {
        var (id, b) = await ProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi?validate=true",
            new StringContent(Document("petstore.yaml"), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // createPet documents a 422 (its example): that is the answer, as Prism gives it; the journal keeps why.
        var noName = await Mock.PostAsync($"{b}/pets", Payload("""{"tag":5}"""));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "application/problem+json"), (noName.StatusCode, noName.Content.Headers.ContentType!.MediaType));
        Assert.Equal("name is required", (await noName.ReadJsonAsync()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Created, (await Mock.PostAsync($"{b}/pets", Payload("""{"name":"Rex"}"""))).StatusCode);
        var form = await Mock.PostAsync($"{b}/pets", new StringContent("name=Rex", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Contains("media type 'application/x-www-form-urlencoded'", await form.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType));

        // The others document no refusal: a 422 problem listing each violation.
        Assert.Contains("query 'limit'", await (await Mock.GetAsync($"{b}/pets?limit=abc")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        Assert.Equal(HttpStatusCode.OK, (await Mock.GetAsync($"{b}/pets?limit=5")).StatusCode);

        Assert.Contains("header 'X-Request-Id' is required", await (await Mock.GetAsync($"{b}/pets/1")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
        var withHeader = new HttpRequestMessage(HttpMethod.Get, $"{b}/pets/1");
        withHeader.Headers.Add("X-Request-Id", "r-1");
        Assert.Equal(HttpStatusCode.OK, (await Mock.SendAsync(withHeader)).StatusCode);

        var badId = new HttpRequestMessage(HttpMethod.Get, $"{b}/pets/abc");
        badId.Headers.Add("X-Request-Id", "r-2");
        Assert.Contains("path 'petId'", await (await Mock.SendAsync(badId)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity));

        var journal = await (await Client.GetAsync($"/api/v1/projects/{id}/requests?status=422")).ReadJsonAsync();
        Assert.Equal(4, journal.GetProperty("items").GetArrayLength()); // the refusals are in the journal, with why
        Assert.Contains("/tag", journal.ToString());                    // the documented one too

        // without validate, the same import answers anything that matches the path
        var (plain, p) = await ProjectAsync();
        await ImportAsync(plain, Document("petstore.yaml"));
        Assert.Equal(HttpStatusCode.OK, (await Mock.GetAsync($"{p}/pets?limit=abc")).StatusCode);
    }

    [Fact]
    public async Task Media_types_are_negotiated_and_odd_documents_are_imported_without_a_server_error()
    {
        var (id, b) = await ProjectAsync();
        // A content key that is no media type object ("description: ok", as in Prism's harness) and a path parameter
        // between fixed text with a hyphenated name: both imported (once a 500).
        const string document = """
            openapi: 3.0.2
            paths:
              /pets/{pet-id}.json:
                get:
                  responses:
                    '200':
                      content:
                        description: ok
                        application/json:
                          example: {"id": 1, "next": null}
                        application/xml:
                          example: {"id": 1}
            """;
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi?validate=true", new StringContent(document, Encoding.UTF8, "application/yaml"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        async Task<(HttpStatusCode Status, string? Type, string Body)> GetAsync(string? accept)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{b}/pets/7.json");
            if (accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }
            var answer = await Mock.SendAsync(request);
            return (answer.StatusCode, answer.Content.Headers.ContentType?.MediaType, await answer.Content.ReadAsStringAsync());
        }

        Assert.Equal((HttpStatusCode.OK, "application/json", """{"id":1,"next":null}"""), await GetAsync(null)); // a null example member stays null
        Assert.Equal((HttpStatusCode.OK, "application/xml", "<xml><id>1</id></xml>"), await GetAsync("application/json;q=0.5, application/xml"));
        Assert.Equal(HttpStatusCode.NotAcceptable, (await GetAsync("image/png")).Status);
    }

    [Fact]
    public async Task A_schema_that_refers_back_to_itself_is_validated_to_any_depth()
    {
        var (id, b) = await ProjectAsync();
        const string document = """
            openapi: 3.0.0
            paths:
              /docs:
                put:
                  requestBody:
                    required: true
                    content:
                      application/json:
                        schema: { "$ref": "#/components/schemas/Document" }
                  responses:
                    '204': { description: stored }
            components:
              schemas:
                Document:
                  type: object
                  properties:
                    chunks: { type: array, items: { "$ref": "#/components/schemas/Document" } }
            """;
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi?validate=true", new StringContent(document, Encoding.UTF8, "application/yaml"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await Mock.PutAsync($"{b}/docs", Payload("""{"chunks":[{"chunks":[{}]}]}"""))).StatusCode);
        var refused = await Mock.PutAsync($"{b}/docs", Payload("""{"chunks":[{"chunks":[{"chunks":5}]}]}"""));
        Assert.Contains("/chunks/0/chunks/0/chunks", await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task With_validate_answers_that_break_the_documented_responses_are_served_and_flagged_in_the_journal()
    {
        var (id, b) = await ProjectAsync();
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi?validate=true",
            new StringContent(Document("petstore.yaml"), Encoding.UTF8, "application/yaml"))).StatusCode);
        var endpoints = (await (await Client.GetAsync($"/api/v1/projects/{id}/endpoints")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        var showPet = endpoints.Single(e => e.GetProperty("method").GetString() == "GET" && e.GetProperty("path").GetString() == "/pets/{petId}");
        var endpointId = showPet.GetProperty("id").GetString();

        async Task<string?> FlagAsync(string response, bool template = false)
        {
            var edited = await Client.PutAsync($"/api/v1/projects/{id}/endpoints/{endpointId}",
                Payload($$$"""{"method":"GET","path":"/pets/{petId}","response":{{{response}}}}"""));
            var body = await edited.ReadJsonAsync();
            Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
            Assert.True(body.GetProperty("validated").GetBoolean()); // the edit kept the document's contract
            var call = new HttpRequestMessage(HttpMethod.Get, $"{b}/pets/7");
            call.Headers.Add("X-Request-Id", "r-1");
            var answered = await Mock.SendAsync(call);
            Assert.NotEqual(HttpStatusCode.BadRequest, answered.StatusCode); // served as defined
            var newest = (await (await Client.GetAsync($"/api/v1/projects/{id}/requests?pathPrefix=/pets/7")).ReadJsonAsync()).GetProperty("items")[0];
            return newest.TryGetProperty("contractViolation", out var flag) && flag.ValueKind == JsonValueKind.String ? flag.GetString() : null;
        }

        Assert.Null(await FlagAsync("""{"status":200,"body":{"name":"Rex","id":7}}"""));
        Assert.Contains("response 200 body", await FlagAsync("""{"status":200,"body":{"name":5}}"""));
        Assert.Contains("status 418 is not a documented response", await FlagAsync("""{"status":418,"body":{}}"""));
        Assert.Contains("/id", await FlagAsync("""{"status":200,"template":true,"body":{"name":"Rex","id":"{{request.pathSegments.[1]}}x"}}"""));
        Assert.Null(await FlagAsync("""{"status":404,"body":{"message":"gone"}}"""));
    }

    [Theory]
    [InlineData("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: 5\n", "#/paths/~1x/get/responses")]
    [InlineData("openapi: [\n  - x: 1\n bad", "line 2")]
    public async Task A_malformed_document_is_a_422_naming_the_line_or_pointer(string document, string where)
    {
        var (id, _) = await ProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi", new StringContent(document, Encoding.UTF8, "application/yaml"));
        Assert.Contains(where, await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task A_document_missing_only_what_Prism_overlooks_is_imported()
    {
        // No title, no response description (Prism's own test harness writes documents so): text for people, not a reason to refuse.
        var (id, b) = await ProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi", new StringContent(
            "{\"openapi\":\"3.0.2\",\"paths\":{\"/x\":{\"get\":{\"responses\":{\"200\":{\"content\":{\"application/json\":{\"example\":\"test\"}}}}}}}}",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"test\"", await Mock.GetStringAsync($"{b}/x")); // a JSON string example, sent as JSON
    }

    [Fact]
    public async Task A_document_url_is_fetched_through_the_address_guard()
    {
        var (id, _) = await ProjectAsync();
        var response = await Client.PostAsync($"/api/v1/projects/{id}/imports/openapi", Payload("""{"url":"http://169.254.169.254/openapi.json"}"""));
        Assert.Contains("forbidden", await response.AssertProblemAsync(HttpStatusCode.BadGateway));
    }
}
