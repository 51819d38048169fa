using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// README's first loop on the built service, run as a user runs it (no settings): build a mock, then send to it from
/// the tester by any name of this machine the service listens on (issue 33.1: "forbidden" before).
/// </summary>
public sealed class FirstLoopTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "first-loop-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_new_user_builds_a_mock_and_tries_it_in_the_tester_by_localhost_or_its_address()
    {
        await using var service = await ApiProcess.StartAsync(_dataDir);
        using var client = new HttpClient { BaseAddress = service.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.RegisterAndLoginAsync());
        var slug = UniqueSlug("first");
        await client.CreateProjectAsync(slug);
        await client.CreateEndpointAsync(slug, """{"method":"GET","path":"/hello","response":{"status":200,"body":{"hello":"world"}}}""");

        var port = service.Address.Port;
        foreach (var host in new[] { "localhost", "127.0.0.1", service.Address.Host })
        {
            var response = await client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new { url = $"http://{host}:{port}/m/{slug}/hello" })));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var sent = await response.ReadJsonAsync();
            Assert.True(sent.GetProperty("error").ValueKind == JsonValueKind.Null, $"{host}: {sent.GetProperty("error")}");
            Assert.Equal(200, sent.GetProperty("status").GetInt32());
            Assert.Equal("""{"hello":"world"}""", sent.GetProperty("body").GetString());
        }
        // A mock answers as the API it imitates: Kestrel's own "Server" header is not sent; an endpoint's is, once.
        using var plain = new HttpClient { BaseAddress = service.Address };
        var hello = await plain.GetAsync($"/m/{slug}/hello");
        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.Empty(hello.Headers.Server);
        await client.CreateEndpointAsync(slug, """{"method":"GET","path":"/branded","response":{"status":200,"headers":{"Server":"nginx/1.25"},"body":"b"}}""");
        var branded = await plain.GetAsync($"/m/{slug}/branded");
        Assert.Equal(["nginx/1.25"], branded.Headers.GetValues("Server"));

        // Another port of this machine is still the guard's: only this service's own mock URLs open up.
        var other = await client.PostAsync("/api/v1/tester/send", Payload(JsonSerializer.Serialize(new { url = $"http://localhost:{port + 1}/m/{slug}/hello" })));
        Assert.Equal("forbidden", (await other.ReadJsonAsync()).GetProperty("error").GetProperty("kind").GetString());
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
