using System.Net;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// Acknowledged projects and endpoints survive the process being killed or stopped and started again; so does the
/// request journal (what was stored: it is written a second after a request, and on a graceful stop).
/// </summary>
public sealed class RestartTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "restart-" + Guid.NewGuid().ToString("N"));

    private async Task JournalStoredAsync(string projectId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(
                $"Data Source={Path.Combine(_dataDir, OrleansMock.Silo.OrleansMockSilo.EmbeddedDatabaseFile)};Mode=ReadOnly"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM orleansmock_records WHERE collection = 'requestjournal' AND grp = 'requests' AND scope = $project"; // the journal's batches (the collection holds the project's history too)
                command.Parameters.AddWithValue("$project", projectId);
                if (Convert.ToInt32(await command.ExecuteScalarAsync()) >= count)
                {
                    return;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, "the journal's batch never reached the store");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Projects_and_endpoints_survive_kill_9_and_a_graceful_restart()
    {
        string projectId;
        string token;
        var slug = UniqueSlug("durable");
        await using (var first = await ApiProcess.StartAsync(_dataDir))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            token = await client.RegisterAndLoginAsync();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            projectId = (await client.CreateProjectAsync(slug)).GetProperty("id").GetString()!;
            await client.CreateEndpointAsync(projectId, "{\"method\":\"GET\",\"path\":\"/users/{id}\",\"response\":{\"status\":200,\"body\":{\"id\":1}}}");
            Assert.Equal("{\"id\":1}", await client.GetStringAsync($"/m/{slug}/users/42"));
            // The journal stores its batch about a second after the request: wait until it is on disk (read from the
            // store itself, as a restarted process would), not a fixed time.
            await JournalStoredAsync(projectId, count: 1);
            await first.KillAsync(); // no shutdown code runs: only what was acknowledged and on disk counts
        }

        await using (var second = await ApiProcess.StartAsync(_dataDir))
        {
            // The token issued before the crash still works: the embedded signing key is kept in the data folder.
            using var client = new HttpClient { BaseAddress = second.Address, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
            Assert.Equal("{\"id\":1}", await client.GetStringAsync($"/m/{slug}/users/42"));
            var listed = await (await client.GetAsync("/api/v1/projects")).ReadJsonAsync();
            Assert.Contains(listed.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == projectId);
            await client.CreateEndpointAsync(projectId, "{\"method\":\"POST\",\"path\":\"/users\",\"response\":{\"status\":201}}");
            var journal = await (await client.GetAsync($"/api/v1/projects/{projectId}/requests")).ReadJsonAsync();
            Assert.Equal(["/users/42", "/users/42"], journal.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
            await client.GetAsync($"/m/{slug}/nowhere");
            await second.StopAsync(); // a graceful stop stores what the journal still holds
            Assert.Contains("OrleansMock listening on", second.Output);
        }

        await using (var third = await ApiProcess.StartAsync(_dataDir))
        {
            using var client = new HttpClient { BaseAddress = third.Address, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
            var endpoints = await (await client.GetAsync($"/api/v1/projects/{projectId}/endpoints")).ReadJsonAsync();
            Assert.Equal(2, endpoints.GetProperty("items").GetArrayLength());
            var unmatched = await (await client.GetAsync($"/api/v1/projects/{projectId}/requests?matched=false")).ReadJsonAsync();
            Assert.Equal("/nowhere", unmatched.GetProperty("items")[0].GetProperty("path").GetString());
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/m/{slug}/users", Payload("{}"))).StatusCode);
            // The slug index survived too: the slug is still taken.
            var clash = await client.PostAsync("/api/v1/projects", Payload($"{{\"name\":\"x\",\"slug\":\"{slug}\"}}"));
            await clash.AssertProblemAsync(HttpStatusCode.Conflict);
        }
    }

    [Fact]
    public async Task Startup_fails_with_a_clear_message_for_an_unknown_storage_provider()
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ApiProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["OrleansMock__Storage__Provider"] = "Cassandra" }));
        Assert.Contains("'OrleansMock:Storage:Provider'", exception.Message);
        Assert.Contains("'Cassandra' is not one of Embedded, Memory, Postgres, Mongo", exception.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
