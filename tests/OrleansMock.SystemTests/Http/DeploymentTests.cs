using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using OrleansMock.Tests.Services;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>The front end and the silo published once (<c>dotnet publish -c Release</c>), as the Dockerfiles build them.</summary>
public sealed class PublishedApp : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "published-" + Guid.NewGuid().ToString("N"));

    public string Api => Path.Combine(_root, "api");

    public string Silo => Path.Combine(_root, "silo");

    public async Task InitializeAsync()
    {
        // One after the other: both build the shared grain projects.
        await PublishAsync("api/OrleansMock.Api.csproj", Api);
        await PublishAsync("silo/OrleansMock.Silo.csproj", Silo);
    }

    private static async Task PublishAsync(string project, string output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", project, "-c", "Release", "-o", output, "--nologo" },
            WorkingDirectory = ApiProcess.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet publish {project} failed:\n{await stdout}\n{await stderr}");
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// The published app started with only what its Dockerfile (or a user following README) gives it: every documented way
/// to choose the listening address works, and a data folder written by an earlier version keeps working.
/// </summary>
[Trait("Category", "Deployment")]
public sealed class DeploymentTests(PublishedApp published) : IClassFixture<PublishedApp>, IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "deploy-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> AddressSettings => ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "--urls", "Urls"];

    [Theory]
    [MemberData(nameof(AddressSettings))]
    public async Task Published_api_listens_where_the_environment_says(string how)
    {
        var port = ApiFactory.FreePort();
        var environment = new Dictionary<string, string> { ["OrleansMock__DataDir"] = _dataDir };
        string[] arguments = [];
        switch (how)
        {
            case "ASPNETCORE_URLS":
                environment["ASPNETCORE_URLS"] = $"http://+:{port}"; // exactly the Dockerfile's form
                break;
            case "ASPNETCORE_HTTP_PORTS":
                environment["ASPNETCORE_HTTP_PORTS"] = port.ToString();
                break;
            case "--urls":
                arguments = ["--urls", $"http://127.0.0.1:{port}"];
                break;
            case "Urls":
                environment["Urls"] = $"http://127.0.0.1:{port}";
                break;
        }
        await using var api = await ApiProcess.StartPublishedAsync(published.Api, "OrleansMock.Api.dll", new Uri($"http://127.0.0.1:{port}"), environment, arguments);
        using var client = new HttpClient { BaseAddress = api.Address };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        Assert.Contains($":{port}", api.Output);
        Assert.DoesNotContain("Participant check thread", api.Output); // Orleans' false alarm at every start, filtered
    }

    [SkippableFact]
    public async Task Published_silo_listens_on_the_dockerfile_address()
    {
        var (redis, postgres) = await TestServices.RequireClusterServicesAsync();
        var port = ApiFactory.FreePort();
        await using var silo = await ApiProcess.StartPublishedAsync(published.Silo, "OrleansMock.Silo.dll", new Uri($"http://127.0.0.1:{port}"), new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://+:{port}",
            ["ConnectionStrings__Redis"] = redis,
            ["ConnectionStrings__Postgres"] = postgres,
            ["OrleansMock__Storage__Provider"] = "Postgres",
            ["OrleansMock__Cluster__ClusterId"] = "deploy-" + Guid.NewGuid().ToString("N")[..12],
            ["OrleansMock__Silo__AdvertisedAddress"] = "127.0.0.1",
            ["OrleansMock__Silo__SiloPort"] = ApiFactory.FreePort().ToString(),
            ["OrleansMock__Silo__GatewayPort"] = ApiFactory.FreePort().ToString(),
        }, healthPath: "/readyz");
        using var client = new HttpClient { BaseAddress = silo.Address };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Two_embedded_instances_on_one_machine_do_not_share_a_silo_port()
    {
        // Neither names a silo port: each binds a free one on loopback (before, both took 11111 and the second failed).
        var first = ApiFactory.FreePort();
        var second = ApiFactory.FreePort();
        await using var a = await ApiProcess.StartPublishedAsync(published.Api, "OrleansMock.Api.dll", new Uri($"http://127.0.0.1:{first}"),
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{first}", ["OrleansMock__DataDir"] = _dataDir + "-a" });
        await using var b = await ApiProcess.StartPublishedAsync(published.Api, "OrleansMock.Api.dll", new Uri($"http://127.0.0.1:{second}"),
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{second}", ["OrleansMock__DataDir"] = _dataDir + "-b" });
        foreach (var api in new[] { a, b })
        {
            using var client = new HttpClient { BaseAddress = api.Address };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
            Assert.False(OrleansListensOnAllInterfaces(api.ProcessId), "the embedded silo must listen on loopback only");
        }
    }

    [Fact]
    public async Task A_data_folder_written_in_the_old_newtonsoft_format_keeps_working_and_migrates_on_write()
    {
        // Written by the version before this fix (grain state with $id/$type and PascalCase): a user, an API key, a
        // project with an endpoint and a resource with a seed and a posted record, a collection.
        CopyFolder(Path.Combine(AppContext.BaseDirectory, "Fixtures", "legacy-data"), _dataDir);
        Assert.Contains("\"$type\"", StoredState("project"));
        var port = ApiFactory.FreePort();
        var environment = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}", ["OrleansMock__DataDir"] = _dataDir };
        await using (var api = await ApiProcess.StartPublishedAsync(published.Api, "OrleansMock.Api.dll", new Uri($"http://127.0.0.1:{port}"), environment))
        {
            using var client = new HttpClient { BaseAddress = api.Address };
            var login = await client.PostAsync("/api/v1/auth/login", Payload("""{"email":"legacy@example.com","password":"legacy password 1"}"""));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            client.DefaultRequestHeaders.Add("X-Api-Key", "om-u_7z4j3apyzf6t7pex-k_eb44a8e5-cf5e3679bea5157e0a438ae4eda936211af4b7f0");
            var projects = await (await client.GetAsync("/api/v1/projects")).ReadJsonAsync();
            Assert.Contains(projects.GetProperty("items").EnumerateArray(), p => p.GetProperty("slug").GetString() == "legacy");
            var mock = await client.GetAsync("/m/legacy/users/5");
            Assert.Equal("""{"id":1,"name":"old"}""", await mock.Content.ReadAsStringAsync());
            Assert.Equal("1", mock.Headers.GetValues("X-A").Single());
            var posts = await (await client.GetAsync("/m/legacy/posts")).ReadJsonAsync();
            Assert.Equal(["seeded", "posted"], posts.EnumerateArray().Select(p => p.GetProperty("title").GetString()));
            var collections = await (await client.GetAsync("/api/v1/collections")).ReadJsonAsync();
            Assert.Contains("c1", collections.GetRawText());

            var renamed = await client.PatchAsync("/api/v1/projects/legacy", Payload("""{"name":"Renamed"}"""));
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            await api.StopAsync();
        }

        // The written record is in our format now; the ones never written since stay readable as they were.
        var project = StoredState("project");
        Assert.DoesNotContain("$type", project);
        Assert.Contains("\"name\":\"Renamed\"", project);
        // Its endpoint moved out of the project's state into a record of its own with that change.
        Assert.DoesNotContain("/users/", project);
        Assert.Contains("/users/", StoredRecords("mockendpoints"));
        Assert.Contains("\"$type\"", StoredState("user"));
        await using var again = await ApiProcess.StartPublishedAsync(published.Api, "OrleansMock.Api.dll", new Uri($"http://127.0.0.1:{port}"), environment);
        using var after = new HttpClient { BaseAddress = again.Address };
        Assert.Equal("""{"id":1,"name":"old"}""", await after.GetStringAsync("/m/legacy/users/5"));
    }

    private string StoredState(string stateName) =>
        System.Text.Encoding.UTF8.GetString((byte[])Query("SELECT payload FROM grain_state WHERE state_name = $value", stateName)!);

    private string StoredRecords(string collection) =>
        Query("SELECT group_concat(data, ' ') FROM orleansmock_records WHERE collection = $value", collection) as string ?? "";

    private object? Query(string sql, string value)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "orleansmock.db")};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$value", value);
        return command.ExecuteScalar();
    }

    /// <summary>Whether any TCP socket of the process listens on 0.0.0.0 or [::] other than HTTP's (checked in /proc).</summary>
    private static bool OrleansListensOnAllInterfaces(int pid)
    {
        var inodes = Directory.GetFiles($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget).OfType<string>()
            .Where(target => target.StartsWith("socket:[")).Select(target => target[8..^1]).ToHashSet();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = columns[1];
                var listening = columns[3] == "0A";
                var anyAddress = local.StartsWith("00000000:") || local.StartsWith("00000000000000000000000000000000:");
                if (listening && anyAddress && inodes.Contains(columns[9]))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    public void Dispose()
    {
        foreach (var folder in new[] { _dataDir, _dataDir + "-a", _dataDir + "-b" })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
