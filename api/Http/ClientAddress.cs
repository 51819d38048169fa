using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace OrleansMock.Api.Http;

/// <summary>
/// Who the client is: the connection's address, unless the connection comes from a configured trusted proxy
/// (<c>OrleansMock:ForwardedHeaders:KnownProxies</c> / <c>KnownNetworks</c>), in which case X-Forwarded-For (through
/// ASP.NET Core's forwarded-headers middleware) or RFC 7239 <c>Forwarded: for=</c> names it. By default no proxy is
/// trusted, not even loopback, so a spoofed header from any peer changes nothing.
/// </summary>
public static class ClientAddress
{
    public const string Section = "OrleansMock:ForwardedHeaders";

    public static void Configure(ForwardedHeadersOptions options, IConfiguration configuration)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        options.ForwardLimit = 1;
        foreach (var proxy in configuration.GetSection($"{Section}:KnownProxies").Get<string[]>() ?? [])
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"{Section}:KnownProxies entry '{proxy}' is not an IP address."));
        }
        foreach (var network in configuration.GetSection($"{Section}:KnownNetworks").Get<string[]>() ?? [])
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{Section}:KnownNetworks entry '{network}' is not a CIDR network such as 10.0.0.0/8."));
        }
    }

    /// <summary>Applies <c>Forwarded: for=</c> when a trusted proxy sent it and no X-Forwarded-For was applied.</summary>
    public static RequestDelegate HonourForwarded(RequestDelegate next, ForwardedHeadersOptions options) => context =>
    {
        var peer = context.Connection.RemoteIpAddress;
        var forwarded = context.Request.Headers["Forwarded"].ToString();
        if (peer is not null && forwarded.Length > 0 && !context.Request.Headers.ContainsKey("X-Forwarded-For") && IsTrusted(peer, options)
            && LastFor(forwarded) is { } client)
        {
            context.Connection.RemoteIpAddress = client;
        }
        return next(context);
    };

    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static bool IsTrusted(IPAddress peer, ForwardedHeadersOptions options)
    {
        var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        return options.KnownProxies.Any(p => p.Equals(address) || p.Equals(peer))
            || options.KnownIPNetworks.Any(n => n.Contains(address));
    }

    /// <summary>The client named by the nearest hop of a Forwarded header: <c>for=192.0.2.60</c>, <c>for="[2001:db8::1]:4711"</c>.</summary>
    private static IPAddress? LastFor(string header)
    {
        var element = header.Split(',')[^1];
        foreach (var pair in element.Split(';'))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !parts[0].Equals("for", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = parts[1].Trim('"');
            if (value.StartsWith('['))
            {
                value = value[1..value.IndexOf(']')];
            }
            else if (value.Count(c => c == ':') == 1)
            {
                value = value[..value.IndexOf(':')];
            }
            return IPAddress.TryParse(value, out var address) ? address : null;
        }
        return null;
    }
}
