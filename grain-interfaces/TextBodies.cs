using System.Text;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// Whether a body is text, one rule for every side that keeps bodies: the tester's history and the recorder (a text
/// body is kept as text, anything else as base64).
/// </summary>
public static class TextBodies
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>text/*, JSON, XML, JavaScript and form bodies (any <c>+json</c>/<c>+xml</c> suffix too).</summary>
    public static bool IsTextType(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
        || mediaType.Contains("xml", StringComparison.OrdinalIgnoreCase) || mediaType.Contains("javascript", StringComparison.OrdinalIgnoreCase)
        || mediaType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>The bytes as UTF-8 text, or null when they are not valid UTF-8.</summary>
    public static string? Utf8OrNull(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
