using System.Diagnostics;
using OrleansMock.Tests.Http;

namespace OrleansMock.Tests;

/// <summary>
/// A reference implementation run beside us by a differential suite (json-server, Prism): a Node.js program started on a
/// free loopback port, ready once <c>ready</c> says so, killed with its process tree when disposed.
/// </summary>
public sealed class ReferenceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output;

    private ReferenceProcess(Process process, Uri address) => (_process, _output, Address) = (process, new ProcessOutput(process), address);

    public Uri Address { get; }

    public string Output => _output.ToString();

    /// <param name="arguments">The script and its arguments; <c>{port}</c> in them is replaced by the port chosen.</param>
    public static async Task<ReferenceProcess> StartAsync(string name, string workingDirectory, IEnumerable<string> arguments, Func<ReferenceProcess, Task<bool>> ready)
    {
        var port = ApiFactory.FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument.Replace("{port}", port.ToString(), StringComparison.Ordinal));
        }
        var reference = new ReferenceProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !reference._process.HasExited)
        {
            try
            {
                if (await ready(reference))
                {
                    return reference;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        var output = reference.Output;
        await reference.DisposeAsync();
        throw new TimeoutException($"{name} did not start in 60 s:\n{output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>
/// The two sides of a differential suite whose reference runs on Node.js (json-server, Prism): the built service (no
/// settings) with a signed-in owner, and the reference's npm folder (tests/<c>package</c>, installed from its lock file).
/// </summary>
public abstract class NodeReferenceSides(string package, string installedFile, string reference) : IAsyncLifetime
{
    protected string DataDir { get; } = Path.Combine(Path.GetTempPath(), "orleansmock-tests", package + "-" + Guid.NewGuid().ToString("N"));

    protected ApiProcess Service { get; private set; } = null!;

    protected HttpClient Owner { get; private set; } = null!;

    /// <summary>tests/<c>package</c>, with its node_modules.</summary>
    protected string PackageFolder { get; private set; } = "";

    /// <summary>Why the suite cannot run here (no Node.js), or null.</summary>
    public string? Missing { get; private set; }

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "node"))) != true)
        {
            Missing = $"no Node.js on this machine; the {reference} differential tests run {reference} itself";
            return;
        }
        PackageFolder = await NodeClients.FolderAsync(package, installedFile);
        Service = await ApiProcess.StartAsync(DataDir);
        Owner = new HttpClient { BaseAddress = Service.Address };
        Owner.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Owner.RegisterAndLoginAsync());
    }

    /// <summary>What the suite started besides the service (reference processes kept across cases).</summary>
    protected virtual ValueTask StopReferencesAsync() => ValueTask.CompletedTask;

    public async Task DisposeAsync()
    {
        await StopReferencesAsync();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        Owner?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
