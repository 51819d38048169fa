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
