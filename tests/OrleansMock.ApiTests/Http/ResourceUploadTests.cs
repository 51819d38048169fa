using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>Multipart writes to a resource: fields as strings, files stored within their budget and served back, deleted with their record.</summary>
[Collection(ApiCollection.Name)]
public sealed class ResourceUploadTests(ApiFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task<(string Id, string Slug)> ProjectAsync()
    {
        var project = await Client.CreateProjectAsync();
        var id = project.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"photos"}"""))).StatusCode);
        return (id, project.GetProperty("slug").GetString()!);
    }

    private static MultipartFormDataContent Form(byte[] bytes, string filename = "cat.png", string title = "a cat")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { new StringContent(title, Encoding.UTF8), "title" }, { file, "image", filename } };
    }

    [Fact]
    public async Task A_file_is_stored_served_back_replaced_and_deleted_with_its_record()
    {
        var (_, slug) = await ProjectAsync();
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        var created = await Client.PostAsync($"/m/{slug}/photos", Form(bytes));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var record = await created.ReadJsonAsync();
        Assert.Equal("a cat", record.GetProperty("title").GetString());
        var image = record.GetProperty("image");
        Assert.Equal("cat.png", image.GetProperty("filename").GetString());
        Assert.Equal("image/png", image.GetProperty("contentType").GetString());
        Assert.Equal(5000, image.GetProperty("size").GetInt32());
        var url = new Uri(image.GetProperty("url").GetString()!);
        Assert.StartsWith($"/m/{slug}/__files/photos/f_", url.AbsolutePath);

        var served = await Client.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal(bytes, await served.Content.ReadAsByteArrayAsync());

        // A name with non-ASCII letters is served back safely; the bare files path is a 404, not an error.
        var odd = await (await Client.PostAsync($"/m/{slug}/photos", Form([7], "ça va.png"))).ReadJsonAsync();
        var oddServed = await Client.GetAsync(new Uri(odd.GetProperty("image").GetProperty("url").GetString()!).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, oddServed.StatusCode);
        Assert.Contains("filename", oddServed.Content.Headers.ContentDisposition!.ToString());
        await (await Client.GetAsync($"/m/{slug}/__files")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await Client.GetAsync($"/m/{slug}/__files/photos")).AssertProblemAsync(HttpStatusCode.NotFound);

        // Replacing the file drops the old one; deleting the record drops the new one.
        var id = record.GetProperty("id").ToString();
        var replaced = await (await Client.PatchAsync($"/m/{slug}/photos/{id}", Form([1, 2, 3], "dog.png", "a dog"))).ReadJsonAsync();
        Assert.Equal("a dog", replaced.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(url.PathAndQuery)).StatusCode);
        var second = new Uri(replaced.GetProperty("image").GetProperty("url").GetString()!);
        Assert.Equal([1, 2, 3], await Client.GetByteArrayAsync(second.PathAndQuery));
        Assert.Equal(HttpStatusCode.OK, (await Client.DeleteAsync($"/m/{slug}/photos/{id}")).StatusCode);
        await (await Client.GetAsync(second.PathAndQuery)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_file_over_its_budget_is_a_413_and_so_is_a_resource_full_of_files()
    {
        await using var factory = new ApiFactory();
        factory.Settings["OrleansMock:Limits:MaxUploadBytes"] = "1000";
        factory.Settings["OrleansMock:Limits:MaxResourceBytes"] = "2500";
        using var client = await factory.CreateClient().AsNewUserAsync();
        var project = await client.CreateProjectAsync();
        var (id, slug) = (project.GetProperty("id").GetString()!, project.GetProperty("slug").GetString()!);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"photos"}"""))).StatusCode);

        var detail = await (await client.PostAsync($"/m/{slug}/photos", Form(new byte[1001]))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxUploadBytes", detail);
        Assert.Equal("[]", await client.GetStringAsync($"/m/{slug}/photos"));

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/m/{slug}/photos", Form(new byte[1000]))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/m/{slug}/photos", Form(new byte[1000]))).StatusCode);
        var full = await (await client.PostAsync($"/m/{slug}/photos", Form(new byte[1000]))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxResourceBytes", full);
        Assert.Equal(2, (await (await client.GetAsync($"/m/{slug}/photos")).ReadJsonAsync()).GetArrayLength());
    }
}
