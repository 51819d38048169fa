using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections.Features;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// WireMock's faults as a client sees them, carried out on the connection itself: a TCP reset, a close without an
/// answer, a broken chunked body, random bytes. Over HTTP/1.1 on Kestrel's sockets each is exact; where there is no
/// socket (HTTP/2, a test server) the connection is aborted, which the client sees as a reset or an empty answer.
/// </summary>
public static class MockFaults
{
    public static async Task ApplyAsync(HttpContext context, Fault fault)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        var http1 = context.Request.Protocol == "HTTP/1.1" || context.Request.Protocol == "HTTP/1.0";
        try
        {
            switch (fault)
            {
                case Fault.ConnectionResetByPeer when socket is not null:
                    // Linger 0: closing sends RST instead of FIN.
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close(0);
                    break;
                case Fault.MalformedResponseChunk when socket is not null && http1:
                    await socket.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nlorem ipsum dolor sit amet\r\n"u8.ToArray(), context.RequestAborted);
                    break;
                case Fault.RandomDataThenClose when socket is not null:
                    await socket.SendAsync(RandomNumberGenerator.GetBytes(1024), context.RequestAborted);
                    break;
            }
            if (fault != Fault.ConnectionResetByPeer && socket is { Connected: true })
            {
                // A clean close (FIN) after what was sent: the client sees an empty or cut reply, not a reset.
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client is gone already: the fault has happened.
        }
        context.Abort();
    }

    /// <summary>
    /// Sends the body in exactly <see cref="ChunkedDribble.NumberOfChunks"/> pieces (at most one per byte; sizes differ by
    /// at most one byte) with the total duration's share after each, as WireMock does: the whole answer takes the total
    /// duration. (Before, the pause came only between pieces and the pieces were rounded up: 1,000 ms took 0.8 s, and
    /// README's 8-byte example came in 4 pieces over 0.6 s.)
    /// </summary>
    public static async Task DribbleAsync(HttpResponse response, byte[] body, ChunkedDribble dribble, CancellationToken aborted)
    {
        var chunks = Math.Clamp(dribble.NumberOfChunks, 1, Math.Max(1, body.Length));
        var pause = TimeSpan.FromMilliseconds((double)dribble.TotalDuration / chunks);
        var (size, larger) = (body.Length / chunks, body.Length % chunks);
        try
        {
            var offset = 0;
            for (var i = 0; i < chunks; i++)
            {
                var length = size + (i < larger ? 1 : 0);
                await response.Body.WriteAsync(body.AsMemory(offset, length), aborted);
                await response.Body.FlushAsync(aborted);
                offset += length;
                await Task.Delay(pause, aborted);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away mid-dribble
        }
    }
}
