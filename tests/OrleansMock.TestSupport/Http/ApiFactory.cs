using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansMock.Silo;

namespace OrleansMock.Tests.Http;

/// <summary>
/// The real front end (Program) with its embedded silo and durable store in a temporary folder, on a free silo port
/// so several factories can run side by side.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public string DataDir { get; init; } = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "api-" + Guid.NewGuid().ToString("N"));

    public Dictionary<string, string> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("OrleansMock:DataDir", DataDir);
        builder.UseSetting("OrleansMock:Silo:SiloPort", FreePort().ToString());
        builder.UseSetting("OrleansMock:Limits:MaxRequestBodyBytes", "65536");
        // Every test request comes from one client: the shared server lifts the limits; rate-limit tests lower them.
        builder.UseSetting("OrleansMock:RateLimits:MockPerClient:Limit", "1000000");
        builder.UseSetting("OrleansMock:RateLimits:Management:Limit", "1000000");
        builder.UseSetting("OrleansMock:RateLimits:LoginPerClient:Limit", "1000000");
        builder.UseSetting("OrleansMock:RateLimits:RegisterPerClient:Limit", "1000000");
        builder.UseSetting("OrleansMock:RateLimits:FailedAuthPerClient:Limit", "1000000");
        builder.UseSetting("OrleansMock:Limits:MaxProjectsPerUser", "100000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>
    /// The service on real Kestrel sockets at a free loopback port. Between choosing a port and binding it a parallel
    /// test can take it (the host then fails to start, seen once in CI): a start that fails is tried again on another.
    /// </summary>
    public static (ApiFactory Factory, Uri Address) StartOnKestrel(IReadOnlyDictionary<string, string>? settings = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var factory = new ApiFactory();
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                factory.Settings[key] = value;
            }
            var port = FreePort();
            try
            {
                factory.UseKestrel(port);
                factory.StartServer();
                return (factory, new Uri($"http://127.0.0.1:{port}"));
            }
            catch (Exception) when (attempt < 3)
            {
                try
                {
                    factory.Dispose();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }

    /// <summary>
    /// A free loopback port below the kernel's ephemeral range: a port the kernel hands out (port 0) is also what it gives
    /// outgoing connections, so between this call and the server binding it, a browser's or client's connection could
    /// take it ("address already in use", seen with Chromium running beside the cluster tests). A port is handed out once
    /// per test process: a server restarted on its old address (after kill -9, when the port is free again) must not get
    /// that same port for its silo (seen in CI: silo and HTTP both on one port, the HTTP bind refused).
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(15000, EphemeralStart);
            lock (HandedOut)
            {
                if (!HandedOut.Add(port))
                {
                    continue;
                }
            }
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
        using var fallback = new TcpListener(IPAddress.Loopback, 0);
        fallback.Start();
        return ((IPEndPoint)fallback.LocalEndpoint).Port;
    }

    private static readonly HashSet<int> HandedOut = [];

    private static readonly int EphemeralStart = File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
        && int.TryParse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start)
        && start > 16000 ? start : 32768;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One running front end shared by the HTTP tests; every test makes its own projects.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public ApiFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Factory.Settings["OrleansMock:Limits:MaxEndpointsPerProject"] = "20";
        Client = await Factory.CreateClient().AsNewUserAsync();
    }

    /// <summary>A client of its own, signed in as a new user.</summary>
    public Task<HttpClient> NewUserClientAsync() => Factory.CreateClient().AsNewUserAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}
