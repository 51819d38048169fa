using System.Diagnostics;
using System.Net;
using OrleansMock.Tests.Services;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>
/// Every acknowledged write survives SIGKILL of the service process, on each durable backend: N writes are
/// acknowledged, the process is killed without warning, started again, and all N are there.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private const int Writes = 40;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "crash-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Backends => ["Embedded", "Postgres"];

    /// <summary>The backend's settings; skips the case when the backend cannot be started here.</summary>
    private static async Task<Dictionary<string, string>> SettingsAsync(string provider)
    {
        if (provider != "Postgres")
        {
            return new() { ["OrleansMock__Storage__Provider"] = provider };
        }
        var postgres = await TestServices.PostgresAsync();
        Skip.IfNot(postgres.Available, postgres.SkipReason);
        return new() { ["OrleansMock__Storage__Provider"] = "Postgres", ["ConnectionStrings__Postgres"] = postgres.ConnectionString! };
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    [Trait("Category", "Durability")]
    public async Task All_acknowledged_writes_survive_kill_9(string provider)
    {
        var slug = UniqueSlug("crash");
        var settings = await SettingsAsync(provider);
        string projectId;
        string token;
        var acknowledged = new List<string>();
        await using (var first = await ApiProcess.StartAsync(_dataDir, settings))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            token = await client.RegisterAndLoginAsync();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            projectId = (await client.CreateProjectAsync(slug)).GetProperty("id").GetString()!;
            // Writes in flight four at a time, as a busy client would send them.
            await Parallel.ForEachAsync(Enumerable.Range(0, Writes), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            {
                var response = await client.PostAsync($"/api/v1/projects/{projectId}/endpoints",
                    Payload($"{{\"method\":\"GET\",\"path\":\"/items/{i}\",\"response\":{{\"body\":{i}}}}}"));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add($"/items/{i}");
                    }
                }
            });
            await first.KillAsync();
        }
        Assert.Equal(Writes, acknowledged.Count);

        await using var second = await ApiProcess.StartAsync(_dataDir, settings);
        using var after = new HttpClient { BaseAddress = second.Address, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
        var endpoints = await (await after.GetAsync($"/api/v1/projects/{projectId}/endpoints")).ReadJsonAsync();
        var paths = endpoints.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToHashSet();
        Assert.All(acknowledged, path => Assert.Contains(path, paths));
        Assert.Equal("7", await after.GetStringAsync($"/m/{slug}/items/7"));
    }

    /// <summary>
    /// Issue 31.5: a webhook waiting for its delay when the process dies is sent after it starts again (the outbox stored
    /// it, and the silo's wake-up round resumes it without waiting for the project's next request).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Backends))]
    [Trait("Category", "Durability")]
    public async Task A_webhook_waiting_when_the_process_dies_is_sent_after_the_restart(string provider)
    {
        var settings = await SettingsAsync(provider);
        settings["OrleansMock__Tester__Allow__0"] = "127.0.0.1"; // the receiver is on this machine
        await using var receiver = new WebhookReceiver();
        var target = $"/after-crash-{Guid.NewGuid():N}";
        string projectId, token;
        await using (var first = await ApiProcess.StartAsync(_dataDir, settings))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            token = await client.RegisterAndLoginAsync();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var slug = UniqueSlug("hook");
            projectId = (await client.CreateProjectAsync(slug)).GetProperty("id").GetString()!;
            var (_, key) = await client.CreateApiKeyAsync("webhooks");
            using var admin = new HttpClient { BaseAddress = first.Address };
            admin.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("wiremock:" + key)));
            var mapping = new System.Text.Json.Nodes.JsonObject
            {
                ["request"] = new System.Text.Json.Nodes.JsonObject { ["method"] = "POST", ["urlPath"] = "/pay" },
                ["response"] = new System.Text.Json.Nodes.JsonObject { ["status"] = 202 },
                ["serveEventListeners"] = System.Text.Json.Nodes.JsonNode.Parse(
                    "[{\"name\":\"webhook\",\"parameters\":{\"method\":\"POST\",\"url\":\"" + receiver.Address + target[1..]
                    + "\",\"body\":\"paid {{originalRequest.query.order}}\",\"delay\":{\"type\":\"fixed\",\"milliseconds\":4000}}}]"),
            }.ToJsonString();
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/m/{slug}/__admin/mappings", Payload(mapping))).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/m/{slug}/pay?order=17", null)).StatusCode);
            // Listed as waiting: stored (the outbox lists a call only once its write has completed). Killed only then: a
            // call not yet stored when the process dies was never acknowledged, and this test is about stored ones.
            async Task<bool> ListedAsync() =>
                (await (await client.GetAsync($"/api/v1/projects/{projectId}/webhooks")).ReadJsonAsync()).GetProperty("pending").GetArrayLength() > 0;
            var waited = Stopwatch.StartNew();
            bool listed;
            while (!(listed = await ListedAsync()) && waited.Elapsed < TimeSpan.FromSeconds(3))
            {
                await Task.Delay(20);
            }
            Assert.True(listed, $"the webhook call was not listed as waiting within {waited.Elapsed.TotalSeconds:0.0} s");
            await first.KillAsync();
        }
        Assert.Empty(await receiver.WaitAsync(target, 0)); // not sent before the crash

        await using var second = await ApiProcess.StartAsync(_dataDir, settings);
        var received = await receiver.WaitAsync(target, 1);
        Assert.Equal("paid 17", Assert.Single(received).Body);
        using var after = new HttpClient { BaseAddress = second.Address, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
        var log = await (await after.GetAsync($"/api/v1/projects/{projectId}/webhooks")).ReadJsonAsync();
        Assert.Equal(0, log.GetProperty("pending").GetArrayLength());
        Assert.Equal(200, log.GetProperty("items")[0].GetProperty("status").GetInt32());
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    [Trait("Category", "Durability")]
    public async Task Acknowledged_resource_records_survive_kill_9(string provider)
    {
        var settings = await SettingsAsync(provider);
        string token, slug;
        HashSet<int> acknowledged;
        await using (var first = await ApiProcess.StartAsync(_dataDir, settings))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            token = await client.RegisterAndLoginAsync();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var project = await client.CreateProjectAsync();
            slug = project.GetProperty("slug").GetString()!;
            var created = await client.PostAsync($"/api/v1/projects/{project.GetProperty("id").GetString()}/resources",
                Payload("{\"name\":\"orders\",\"seed\":[{\"id\":1,\"item\":\"seed\"}]}"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var posts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.PostAsync($"/m/{slug}/orders", Payload($"{{\"item\":\"o{i}\"}}"))));
            acknowledged = (await Task.WhenAll(posts.Where(p => p.StatusCode == HttpStatusCode.Created)
                .Select(async p => (await p.ReadJsonAsync()).GetProperty("id").GetInt32()))).ToHashSet();
            await first.KillAsync();
        }
        Assert.Equal(100, acknowledged.Count);

        await using var second = await ApiProcess.StartAsync(_dataDir, settings);
        using var after = new HttpClient { BaseAddress = second.Address };
        var records = await (await after.GetAsync($"/m/{slug}/orders")).ReadJsonAsync();
        var ids = records.EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToHashSet();
        Assert.Subset(ids, acknowledged);
        Assert.Equal(101, ids.Count);
    }

    [Fact]
    public async Task Unreachable_postgres_fails_startup_with_a_clear_message()
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiProcess.StartAsync(_dataDir, new Dictionary<string, string>
        {
            ["OrleansMock__Storage__Provider"] = "Postgres",
            ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=x;Password=secret-password;Database=x;Timeout=3",
        }));
        Assert.Contains("PostgreSQL at Host=127.0.0.1;Port=1;Database=x;Username=x cannot be reached", exception.Message);
        Assert.DoesNotContain("secret-password", exception.Message);
        // One line, as README promises: not the silo's stack trace per storage first (issue 33.9).
        Assert.Contains("OrleansMock cannot start: ", exception.Message);
        Assert.DoesNotContain("   at ", exception.Message);
        Assert.DoesNotContain("SiloLifecycleSubject", exception.Message);
    }

    [Fact]
    public async Task Unreachable_mongo_fails_startup_with_a_clear_message()
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiProcess.StartAsync(_dataDir, new Dictionary<string, string>
        {
            ["OrleansMock__Storage__Provider"] = "Mongo",
            ["ConnectionStrings__Mongo"] = "mongodb://127.0.0.1:1/omtest",
            ["OrleansMock__Storage__Mongo__ServerSelectionTimeoutSeconds"] = "1",
        }));
        Assert.Contains("MongoDB at 127.0.0.1:1/omtest cannot be reached", exception.Message);
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Mongo")]
    public async Task A_store_without_a_connection_string_fails_startup_naming_the_setting(string provider)
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ApiProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["OrleansMock__Storage__Provider"] = provider }));
        Assert.Contains($"needs ConnectionStrings:{provider}", exception.Message);
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "OrleansMock__DataDir", "/proc/orleansmock-cannot-be-here", "OrleansMock:DataDir" },
        { "OrleansMock__Mode", "Sideways", "'Sideways' is not one of Embedded, Cluster" },
        { "OrleansMock__Storage__Provider", "Floppy", "'Floppy' is not one of Embedded, Memory, Postgres, Mongo" },
        { "OrleansMock__Silo__GatewayPort", "70000", "OrleansMock:Silo:GatewayPort='70000' is not a TCP port" },
        { "OrleansMock__Cluster__ClusterId", "a b", "OrleansMock:Cluster:ClusterId='a b' may only hold" },
        { "OrleansMock__Dashboard__Enabled", "true", "needs OrleansMock:Dashboard:AdminKey" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task An_invalid_setting_ends_startup_with_one_line_naming_it_and_exit_code_1(string key, string value, string named)
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ApiProcess.StartAsync(_dataDir, new Dictionary<string, string> { [key] = value }));
        Assert.Contains("exited with 1", exception.Message);
        Assert.Contains($"OrleansMock cannot start: ", exception.Message);
        Assert.Contains(named, exception.Message);
        Assert.Contains(key.Replace("__", ":"), exception.Message);
        Assert.DoesNotContain("   at ", exception.Message); // no stack trace
        Assert.DoesNotContain("Unhandled exception", exception.Message);
    }

    [Fact]
    public async Task A_port_in_use_ends_startup_with_one_line_and_exit_code_1()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ApiProcess.StartAsync(_dataDir, new Dictionary<string, string>(), urls: $"http://127.0.0.1:{port}"));
        Assert.Contains("exited with 1", exception.Message);
        Assert.Contains("address already in use", exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", exception.Message);
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
