using System.Net;
using System.Net.Sockets;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// Decides which addresses the API tester may connect to. Loopback, private, link-local (cloud metadata lives there),
/// CGNAT, multicast, unspecified, broadcast, benchmarking and reserved ranges are refused, in IPv4 and IPv6, with
/// IPv4-mapped, 6to4 and NAT64 addresses checked as the IPv4 address they carry. Host names are checked after
/// resolution, and again on the address actually connected to (<see cref="TesterClient"/>), so DNS rebinding cannot
/// slip between the check and the connection. An allowlist (<c>OrleansMock:Tester:Allow</c>) may open named hosts or
/// CIDR ranges (tests allow a loopback target). The API tester, the mock proxy and webhooks all connect through it
/// (<see cref="ConnectAsync"/>).
/// </summary>
public sealed class TargetGuard
{
    private static readonly (IPNetwork Network, string Why)[] Forbidden =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified or 'this network' address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (cloud metadata services live here)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved or broadcast address"),
        (IPNetwork.Parse("::/128"), "the unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local (private) address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
        (IPNetwork.Parse("100::/64"), "a discard-only address"),
        // The rest of IANA's special-purpose registries that is not globally reachable.
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation (TEST-NET-1) address"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation (TEST-NET-2) address"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation (TEST-NET-3) address"),
        (IPNetwork.Parse("192.88.99.0/24"), "a deprecated 6to4 relay address"),
        (IPNetwork.Parse("::ffff:0:0:0/96"), "an IPv4-translated (SIIT) address"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "a local-use NAT64 address"),
        (IPNetwork.Parse("2001::/32"), "a Teredo tunnel address"),
        (IPNetwork.Parse("2001:2::/48"), "a benchmarking address"),
        (IPNetwork.Parse("2001:10::/28"), "a deprecated ORCHID address"),
        (IPNetwork.Parse("2001:20::/28"), "an ORCHIDv2 address"),
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address"),
        (IPNetwork.Parse("3fff::/20"), "a documentation address"),
        (IPNetwork.Parse("5f00::/16"), "a segment-routing (SRv6) address"),
    ];

    /// <summary>This machine's own interface addresses: reaching them would reach the service's neighbours on the host.</summary>
    private static readonly Lazy<HashSet<IPAddress>> OwnAddresses = new(() =>
    {
        try
        {
            return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToHashSet();
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return [];
        }
    });

    private static readonly string[] LocalNames = ["localhost", "ip6-localhost", "ip6-loopback", "localhost.localdomain"];

    private readonly List<IPNetwork> _allowedNetworks = [];
    private readonly HashSet<string> _allowedHosts = new(StringComparer.OrdinalIgnoreCase);

    public TargetGuard(IEnumerable<string> allow)
    {
        foreach (var entry in allow)
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                _allowedNetworks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                _allowedNetworks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                _allowedHosts.Add(entry);
            }
        }
    }

    /// <summary>
    /// <paramref name="input"/> as an http(s) URL, or why it is not one: not absolute, or another scheme (on Linux a
    /// relative path such as <c>/users</c> parses as <c>file:///users</c>, which is named as a relative URL).
    /// </summary>
    public static Uri? ParseHttpUrl(string? input, out string? problem)
    {
        if (!Uri.TryCreate(input, UriKind.Absolute, out var url) || (url.IsFile && input?.StartsWith("file:", StringComparison.OrdinalIgnoreCase) != true))
        {
            problem = $"url '{input}' is not an absolute URL such as https://api.example.com/users";
            return null;
        }
        if (url.Scheme is not ("http" or "https"))
        {
            problem = $"url '{input}' has the scheme '{url.Scheme}'; only http and https URLs are sent";
            return null;
        }
        problem = null;
        return url;
    }

    /// <summary>What a refusal adds: the setting that opens a host, and that this service's own mock URLs need none.</summary>
    private const string AllowHint = " (an operator may open hosts or networks with OrleansMock:Tester:Allow; this service's own mock URLs, /m/{project}/..., are always reachable)";

    /// <summary>Null when the URL's scheme and host name may be tried; otherwise why not.</summary>
    public string? CheckUrl(Uri url)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            return $"only http and https URLs can be sent, not '{url.Scheme}'";
        }
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "URLs with user:password@ are not sent; use an Authorization header";
        }
        var host = url.IdnHost.TrimEnd('.');
        if (_allowedHosts.Contains(host))
        {
            return null;
        }
        if (LocalNames.Contains(host, StringComparer.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{host}' names this machine; the tester only sends to public hosts{AllowHint}";
        }
        return url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal)
            ? CheckAddress(literal, host)
            : null;
    }

    /// <summary>Null when <paramref name="address"/> may be connected to; otherwise why not.</summary>
    public string? CheckAddress(IPAddress address, string host)
    {
        if (_allowedHosts.Contains(host) || _allowedNetworks.Any(n => n.Contains(address)))
        {
            return null;
        }
        var effective = Embedded(address) ?? address;
        if (OwnAddresses.Value.Contains(address) || OwnAddresses.Value.Contains(effective))
        {
            return $"'{host}' resolves to {address}, an address of the machine this service runs on; the tester only sends to public addresses{AllowHint}";
        }
        foreach (var (network, why) in Forbidden)
        {
            if (network.BaseAddress.AddressFamily == effective.AddressFamily && network.Contains(effective))
            {
                var shown = effective.Equals(address) ? address.ToString() : $"{address} (carrying {effective})";
                return $"'{host}' resolves to {shown}, {why}; the tester only sends to public addresses{AllowHint}";
            }
        }
        return null;
    }

    /// <summary>
    /// Resolves <paramref name="endpoint"/>'s host, checks every address, and connects to the first (the check and the
    /// connection use one address): a <see cref="SocketsHttpHandler.ConnectCallback"/>. A refusal is an
    /// <see cref="HttpRequestException"/> whose message starts with <c>forbidden: </c>; an unknown name one with
    /// <see cref="HttpRequestError.NameResolutionError"/>. Answers the time resolving and connecting took.
    /// </summary>
    public async Task<(Stream Stream, double DnsMs, double ConnectMs)> ConnectAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var host = endpoint.Host;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException exception)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"'{host}' could not be resolved: {exception.Message}");
        }
        var dnsMs = Math.Round(clock.Elapsed.TotalMilliseconds, 2);
        // One forbidden address is enough to refuse: a host name must not straddle public and private space.
        if (addresses.Select(a => CheckAddress(a, host)).FirstOrDefault(r => r is not null) is { } refused)
        {
            throw new HttpRequestException(HttpRequestError.Unknown, "forbidden: " + refused);
        }
        clock.Restart();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(addresses[0], endpoint.Port), cancellationToken);
            return (new NetworkStream(socket, ownsSocket: true), dnsMs, Math.Round(clock.Elapsed.TotalMilliseconds, 2));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The IPv4 address inside an IPv4-mapped, IPv4-compatible, 6to4 or NAT64 IPv6 address.</summary>
    private static IPAddress? Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return new IPAddress(bytes[2..6]); // 6to4 2002:AABB:CCDD::
        }
        if (bytes.Take(12).SequenceEqual(new byte[] { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 }))
        {
            return new IPAddress(bytes[12..16]); // NAT64 64:ff9b::/96
        }
        if (bytes.Take(12).All(b => b == 0) && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] <= 1))
        {
            return new IPAddress(bytes[12..16]); // IPv4-compatible ::a.b.c.d
        }
        return null;
    }
}
