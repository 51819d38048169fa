using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// Runs a service and turns a startup failure a user can fix (an invalid setting, an unwritable data folder, a port in
/// use) into one line naming the cause and exit code 1, instead of an unhandled exception's stack trace.
/// </summary>
public static class StartupFailure
{
    public static async Task<int> RunAsync(Func<Task> run)
    {
        try
        {
            await run();
            return 0;
        }
        catch (Exception exception) when (Explain(exception) is { } message)
        {
            Console.Error.WriteLine($"OrleansMock cannot start: {message}");
            return 1;
        }
    }

    /// <summary>The message of the innermost cause a user can act on, or null for an unexpected failure (left to crash loudly).</summary>
    public static string? Explain(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case IOException { InnerException: SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } }:
                case IOException when current.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase):
                    return $"{current.Message} Choose another address with ASPNETCORE_URLS, --urls or ASPNETCORE_HTTP_PORTS (or stop what uses it).";
                case OptionsValidationException validation:
                    return string.Join(" ", validation.Failures);
                case InvalidOperationException { InnerException: FormatException format } when IsOurs(current.Message):
                    return $"{current.Message} {format.Message}"; // the binder names the key, our converter the value and the choices
                case InvalidOperationException when IsOurs(current.Message):
                    return current.Message;
            }
        }
        return null;
    }

    private static bool IsOurs(string message) =>
        message.Contains("OrleansMock:", StringComparison.Ordinal) || message.Contains("ConnectionStrings:", StringComparison.Ordinal)
        || message.Contains("cannot be reached", StringComparison.Ordinal) || message.Contains("signing key", StringComparison.OrdinalIgnoreCase);
}
