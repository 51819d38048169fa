using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>Multipart (file upload) bodies in matching and templates, through the real front end and a real multipart client.</summary>
[Collection(ApiCollection.Name)]
public sealed class MultipartMatchingTests(ApiFixture fixture)
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    private HttpClient Client => fixture.Client;

    private static MultipartFormDataContent Upload(string filename, string contentType, string note = "a note")
    {
        var file = new ByteArrayContent(Png);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, "file", filename }, { new StringContent(note, Encoding.UTF8, "text/plain"), "note" } };
    }

    [Fact]
    public async Task A_listed_part_must_be_there_and_hold_and_templates_read_the_parts()
    {
        var slug = (await Client.CreateProjectAsync()).GetProperty("slug").GetString()!;
        await Client.CreateEndpointAsync(slug, JsonSerializer.Serialize(new
        {
            method = "POST", path = "/upload",
            request = new { multipart = new object[] { new { name = "file", filename = new { matches = ".*\\.png" }, contentType = new { equalTo = "image/png" }, body = new { contains = "PNG" } } } },
            response = new { status = 201, template = true, body = "{{request.parts.file.filename}} {{request.parts.file.contentType}} {{request.parts.note.body}} {{request.multipart}}" },
        }));

        var matched = await Client.PostAsync($"/m/{slug}/upload", Upload("cat.png", "image/png", "for the vet"));
        Assert.Equal(HttpStatusCode.Created, matched.StatusCode);
        Assert.Equal("cat.png image/png for the vet true", await matched.Content.ReadAsStringAsync());

        var wrongName = await (await Client.PostAsync($"/m/{slug}/upload", Upload("cat.jpg", "image/png"))).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("multipart part 'file': filename: expected matches", wrongName);
        var wrongType = await (await Client.PostAsync($"/m/{slug}/upload", Upload("cat.png", "image/jpeg"))).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("contentType: expected equalTo 'image/png'", wrongType);
        var missing = await (await Client.PostAsync($"/m/{slug}/upload", new MultipartFormDataContent { { new StringContent("x"), "other" } }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("no part named 'file'", missing);
        var notMultipart = await (await Client.PostAsync($"/m/{slug}/upload", Payload("{}"))).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("not multipart", notMultipart);

        // The endpoint reads back as it was written.
        var listed = await (await Client.GetAsync($"/api/v1/projects/{slug}/endpoints")).ReadJsonAsync();
        var part = listed.GetProperty("items")[0].GetProperty("request").GetProperty("multipart")[0];
        Assert.Equal("file", part.GetProperty("name").GetString());
        Assert.Equal("PNG", part.GetProperty("body").GetProperty("contains").GetString());
    }

    [Fact]
    public async Task WireMock_multipart_patterns_are_imported_and_exported_and_a_wrong_shape_is_refused()
    {
        var slug = (await Client.CreateProjectAsync()).GetProperty("slug").GetString()!;
        var created = await Client.PostAsync($"/m/{slug}/__admin/mappings", Payload("""
            {"request":{"method":"POST","urlPath":"/docs","multipartPatterns":[{"matchingType":"ANY",
              "headers":{"Content-Disposition":{"contains":"name=\"info\""},"Content-Type":{"contains":"charset"}},
              "bodyPatterns":[{"equalToJson":"{}"}]}]},
             "response":{"status":200,"body":"matched"}}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var mapping = await created.ReadJsonAsync();
        Assert.Equal("ANY", mapping.GetProperty("request").GetProperty("multipartPatterns")[0].GetProperty("matchingType").GetString());

        // .NET writes name=info unquoted unless asked; WireMock's documented pattern looks for name="info".
        var info = new StringContent("{}", Encoding.UTF8, "application/json");
        var hit = await Client.PostAsync($"/m/{slug}/docs", new MultipartFormDataContent { { info, "\"info\"" } });
        Assert.Equal("matched", await hit.Content.ReadAsStringAsync());
        var other = new StringContent("{\"a\":1}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostAsync($"/m/{slug}/docs", new MultipartFormDataContent { { other, "\"info\"" } })).StatusCode);

        var refused = await Client.PostAsync($"/m/{slug}/__admin/mappings", Payload("""
            {"request":{"urlPath":"/x","multipartPatterns":[{"matchingType":"SOME"}]},"response":{"status":200}}
            """));
        Assert.Contains("multipartPatterns[0].matchingType", await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity));
    }
}
