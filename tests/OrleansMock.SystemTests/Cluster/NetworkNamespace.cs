using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrleansMock.Tests.Cluster;

/// <summary>
/// A network namespace joined to the host by a veth pair (host side <see cref="HostAddress"/>, namespace side
/// <see cref="NamespaceAddress"/>): a process started in it reaches the host and is reached only over that link, which
/// <see cref="DisconnectAsync"/> takes down, cutting it off without stopping it. Needs root and iproute2.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private readonly string _hostLink;

    private NetworkNamespace(string name, string hostLink, IPAddress host, IPAddress inside)
    {
        Name = name;
        _hostLink = hostLink;
        HostAddress = host;
        NamespaceAddress = inside;
    }

    public string Name { get; }

    public IPAddress HostAddress { get; }

    public IPAddress NamespaceAddress { get; }

    /// <summary>The namespace, or null and why it cannot be made here (not root, no iproute2, no permission).</summary>
    public static async Task<(NetworkNamespace? Namespace, string? Reason)> TryCreateAsync()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return (null, "network namespaces need Linux and root (ip netns)");
        }
        var id = Random.Shared.Next(0x100000, 0xffffff).ToString("x");
        var (name, hostLink, inside) = ($"om{id}", $"omh{id}", $"omn{id}");
        var subnet = Random.Shared.Next(1, 250);
        var host = IPAddress.Parse($"10.231.{subnet}.1");
        var other = IPAddress.Parse($"10.231.{subnet}.2");
        var created = new NetworkNamespace(name, hostLink, host, other);
        string[][] steps =
        [
            ["netns", "add", name],
            ["link", "add", hostLink, "type", "veth", "peer", "name", inside],
            ["link", "set", inside, "netns", name],
            ["addr", "add", $"{host}/24", "dev", hostLink],
            ["link", "set", hostLink, "up"],
            ["netns", "exec", name, "ip", "addr", "add", $"{other}/24", "dev", inside],
            ["netns", "exec", name, "ip", "link", "set", inside, "up"],
            ["netns", "exec", name, "ip", "link", "set", "lo", "up"],
        ];
        foreach (var step in steps)
        {
            if (await IpAsync(step) is { } failure)
            {
                await created.DisposeAsync();
                return (null, $"ip {string.Join(' ', step)} failed: {failure}");
            }
        }
        return (created, null);
    }

    /// <summary>Takes the link down: the namespace's processes keep running but reach nothing and nobody reaches them.</summary>
    public async Task DisconnectAsync() => Assert.Null(await IpAsync(["link", "set", _hostLink, "down"]));

    public async Task ReconnectAsync() => Assert.Null(await IpAsync(["link", "set", _hostLink, "up"]));

    public async ValueTask DisposeAsync()
    {
        await IpAsync(["netns", "delete", Name]); // deletes the pair with it
        await IpAsync(["link", "delete", _hostLink]);
    }

    /// <summary>Runs ip; null on success, else its error output.</summary>
    private static async Task<string?> IpAsync(string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? null : error.Trim();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return exception.Message; // no ip binary
        }
    }
}

/// <summary>Forwards TCP connections made to an address and port of this host to a port on loopback.</summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TcpForwarder(IPAddress address, int target)
    {
        _target = target;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                var a = client.GetStream();
                var b = upstream.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
