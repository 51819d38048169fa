using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// How JSON this service writes escapes strings: only what JSON requires (<c>"</c> as <c>\"</c>, control characters),
/// as JSON.stringify and json-server do, never <c>+</c> as <c>\u002B</c> or <c>"</c> as <c>\u0022</c>. Safe for JSON
/// responses (served as application/json with nosniff; the console shows them as text).
/// </summary>
public static class JsonText
{
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly JsonSerializerOptions Options = new() { Encoder = Encoder };
}
