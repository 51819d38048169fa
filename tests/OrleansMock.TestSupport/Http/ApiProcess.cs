using System.Diagnostics;
using System.Text;

namespace OrleansMock.Tests.Http;

/// <summary>
/// A built service (the front end <c>api/bin/.../OrleansMock.Api.dll</c> or a standalone silo) run as a real process
/// on a free loopback port, as a user runs it, for tests that crash, stop and restart services.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output;

    private ApiProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _output = new ProcessOutput(process);
    }

    public Uri Address { get; }

    public string Output => _output.ToString();

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The front end; <paramref name="urls"/> overrides the free loopback port it is otherwise given.</summary>
    public static Task<ApiProcess> StartAsync(string dataDir, IDictionary<string, string>? settings = null, string? urls = null) =>
        StartAsync("api", "OrleansMock.Api.dll", "/healthz", dataDir, settings, urls);

    /// <summary>A standalone silo; healthy once it has joined the cluster and reached its storage.</summary>
    /// <param name="networkNamespace">A network namespace to run it in (<c>ip netns exec</c>), with <paramref name="urls"/> on an address of it.</param>
    public static Task<ApiProcess> StartSiloAsync(IDictionary<string, string> settings, string? networkNamespace = null, string? urls = null) =>
        StartAsync("silo", "OrleansMock.Silo.dll", "/readyz", Path.GetTempPath(), settings, urls, networkNamespace);

    private static async Task<ApiProcess> StartAsync(string project, string assembly, string healthPath, string dataDir, IDictionary<string, string>? settings,
        string? urls = null, string? networkNamespace = null)
    {
        var directory = BinDirectory(project);
        var dll = Path.Combine(directory, assembly);
        Assert.True(File.Exists(dll), $"build the {project} project first: {dll} is missing");
        var address = new Uri(urls ?? $"http://127.0.0.1:{ApiFactory.FreePort()}");
        // Only what the test says: nothing inherited from the runner's environment (CI exports connection strings).
        var environment = new Dictionary<string, string>
        {
            ["OrleansMock__DataDir"] = dataDir,
            ["OrleansMock__Silo__SiloPort"] = ApiFactory.FreePort().ToString(),
            ["OrleansMock__Silo__GatewayPort"] = ApiFactory.FreePort().ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return await LaunchAsync(directory, dll, ["--urls", address.ToString()], address, environment, healthPath,
            key => key.StartsWith("ConnectionStrings__") || key.StartsWith("OrleansMock__"), networkNamespace);
    }

    /// <summary>
    /// A published service (<c>dotnet publish</c> output) started exactly as a container starts it: with only
    /// <paramref name="environment"/> (nothing of the runner's ASPNETCORE_/DOTNET_/OrleansMock settings) and
    /// <paramref name="arguments"/>; healthy once <paramref name="address"/> answers.
    /// </summary>
    public static async Task<ApiProcess> StartPublishedAsync(string directory, string assembly, Uri address,
        IDictionary<string, string> environment, IEnumerable<string>? arguments = null, string healthPath = "/healthz")
    {
        return await LaunchAsync(directory, Path.Combine(directory, assembly), arguments ?? [], address, environment, healthPath,
            key => key.StartsWith("ConnectionStrings__") || key.StartsWith("OrleansMock__") || key.StartsWith("ASPNETCORE_")
                || key is "DOTNET_URLS" or "URLS" or "Urls");
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c> with the runner's variables that match <paramref name="inherited"/>
    /// removed and <paramref name="environment"/> set; returns it once <paramref name="healthPath"/> answers.
    /// </summary>
    private static Task<ApiProcess> LaunchAsync(string directory, string dll, IEnumerable<string> arguments, Uri address,
        IDictionary<string, string> environment, string healthPath, Func<string, bool> inherited, string? networkNamespace = null)
    {
        // In a network namespace: "ip netns exec <name> dotnet ...", which execs dotnet, so the process is dotnet itself.
        var start = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (networkNamespace is not null)
        {
            foreach (var argument in new[] { "netns", "exec", networkNamespace, "dotnet" })
            {
                start.ArgumentList.Add(argument);
            }
        }
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var key in start.Environment.Keys.Where(inherited).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["DOTNET_gcServer"] = "0"; // several test processes share two cores
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return StartedAsync(new ApiProcess(Process.Start(start)!, address), healthPath);
    }

    /// <summary>The service once healthy; killed (never left running) when it does not get there.</summary>
    private static async Task<ApiProcess> StartedAsync(ApiProcess service, string healthPath)
    {
        try
        {
            await service.WaitUntilHealthyAsync(healthPath);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the graceful stop a service manager sends.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(string healthPath)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // drains the redirected output
                throw new InvalidOperationException($"the process exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await client.GetAsync(healthPath)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the process did not become healthy in 60 s:\n{Output}");
    }

    /// <summary>The repository's root folder (where OrleansMock.sln is).</summary>
    public static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OrleansMock.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        return root.FullName;
    }

    private static string BinDirectory(string project)
    {
        var testBin = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory); // .../tests/OrleansMock.Tests/bin/<Configuration>/net10.0
        var configuration = new DirectoryInfo(testBin).Parent!.Name;
        var root = new DirectoryInfo(testBin);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OrleansMock.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        return Path.Combine(root.FullName, project, "bin", configuration, "net10.0");
    }
}
