using System.Diagnostics;

namespace OrleansMock.Tests.Http;

/// <summary>
/// The real WireMock: the standalone jar that npm <c>wiremock</c> ships (tests/wiremock-jar, installed from its lock
/// file on first use), run with Java on a free loopback port and an empty root folder, as a WireMock user runs it.
/// </summary>
public sealed class WireMockJar : IAsyncDisposable
{
    public const string Version = "3.13.2";

    private readonly Process _process;
    private readonly string _root;
    private readonly ProcessOutput _output;

    private WireMockJar(Process process, string root, Uri address)
    {
        _process = process;
        _root = root;
        Address = address;
        _output = new ProcessOutput(process);
    }

    public Uri Address { get; }

    /// <summary>Why the jar cannot run here (no Java), or null.</summary>
    public static string? Missing() =>
        Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "java"))) == true
            ? null
            : "no Java on this machine (Debian: apt-get install default-jre-headless); the WireMock differential tests need the real WireMock jar";

    public static async Task<WireMockJar> StartAsync()
    {
        var folder = await NodeClients.FolderAsync("wiremock-jar", $"wiremock/build/wiremock-standalone-{Version}.jar");
        var jar = Path.Combine(folder, "node_modules", "wiremock", "build", $"wiremock-standalone-{Version}.jar");
        var root = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "wiremock-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var port = ApiFactory.FreePort();
        var start = new ProcessStartInfo("java")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root,
        };
        foreach (var argument in new[] { "-Xss1m", "-jar", jar, "--port", port.ToString(), "--bind-address", "127.0.0.1", "--root-dir", root, "--disable-banner" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = new WireMockJar(Process.Start(start)!, root, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process._process.HasExited)
        {
            try
            {
                if ((await client.GetAsync("/__admin/health")).IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        var output = process.Output;
        await process.DisposeAsync();
        throw new TimeoutException($"WireMock {Version} did not become healthy in 60 s:\n{output}");
    }

    public string Output => _output.ToString();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
