using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using OrleansMock.Api.Http;

namespace OrleansMock.Api.Hosting;

/// <summary>
/// The web console: a static single-page app (sources in <c>api/console</c>, built by the api's build into
/// <c>console/</c> beside the binaries) that talks only to <c>/api/v1</c>. <c>/</c> serves its page to browsers (a client
/// asking for JSON still gets the service index), <c>/assets/*</c> its hashed files, cached for a year. Both are plain
/// endpoints: mock traffic (<c>/m/...</c>) is answered before routing and never reaches them.
/// </summary>
public static partial class WebConsole
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "console");

    /// <summary>
    /// Scripts and styles only from the console's own asset path on our origin (<c>{origin}/assets/</c>: not
    /// <c>'self'</c>, which would also admit what tenants serve under <c>/m/</c>), no inline script or style elements,
    /// API calls to our origin only, no plugins, no framing of the console; a previewed HTML answer lives in a
    /// sandboxed frame of its own (srcdoc).
    /// </summary>
    public static string ContentSecurityPolicy(HttpRequest request)
    {
        var assets = $"{request.Scheme}://{request.Host.Value}/assets/";
        return $"default-src 'none'; script-src {assets}; style-src {assets}; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
            "frame-src 'self'; child-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";
    }

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,200}$")]
    private static partial Regex AssetName();

    public static bool IsBuilt => File.Exists(Path.Combine(Folder, "index.html"));

    /// <summary>Whether the request is a browser asking for a page.</summary>
    public static bool WantsPage(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>The console's page, never cached (it names the current hashed assets).</summary>
    public static IResult Page(HttpContext context)
    {
        if (!IsBuilt)
        {
            return Problems.Status(StatusCodes.Status404NotFound,
                "the web console is not built: install Node.js and npm, then build the api again (dotnet build api)");
        }
        Secure(context);
        context.Response.Headers.CacheControl = "no-cache";
        return Results.File(Path.Combine(Folder, "index.html"), "text/html; charset=utf-8");
    }

    public static void MapWebConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/{file}", (string file, HttpContext context) =>
        {
            var path = Path.Combine(Folder, "assets", file);
            if (!AssetName().IsMatch(file) || file.StartsWith('.') || !File.Exists(path))
            {
                return Problems.Status(StatusCodes.Status404NotFound, $"the console has no asset {file}");
            }
            Secure(context);
            // Names carry a hash of their content: a changed file is a new name.
            context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.File(path, ContentTypes.TryGetContentType(file, out var type) ? type : "application/octet-stream");
        }).ExcludeFromDescription();
    }

    private static void Secure(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy(context.Request);
        headers.XContentTypeOptions = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }
}
