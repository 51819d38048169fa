using System.Diagnostics;

namespace OrleansMock.Tests.Http;

/// <summary>The real npm clients under tests/ (wiremock-captain, newman): installed from their lock file on first use, run with Node.</summary>
public static class NodeClients
{
    // One install per folder at a time: test classes that share a folder start in parallel, and two `npm ci` runs in one
    // folder fail each other (ENOTEMPTY, seen in CI when both Prism suites started at once).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> Installs = new(StringComparer.Ordinal);

    /// <summary>tests/<paramref name="name"/>, with its node_modules installed (npm ci) when missing.</summary>
    public static async Task<string> FolderAsync(string name, string installedFile)
    {
        var gate = Installs.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            return await InstalledAsync(name, installedFile);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<string> InstalledAsync(string name, string installedFile)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OrleansMock.sln")))
        {
            root = root.Parent;
        }
        var folder = Path.Combine(root?.FullName ?? throw new InvalidOperationException("the repository root (OrleansMock.sln) was not found"), "tests", name);
        if (!File.Exists(Path.Combine(folder, "node_modules", installedFile)))
        {
            var install = await RunAsync("npm", "ci --no-audit --no-fund", folder);
            Assert.True(install.Code == 0, $"npm ci (tests/{name}) failed: {install.Output}");
        }
        return folder;
    }

    public static async Task<(int Code, string Output)> RunAsync(string file, string arguments, string folder)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
