using System.Diagnostics;
using System.Net;
using System.Text.Json;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Http;

/// <summary>File uploads on the built service with the client users reach for first: <c>curl -F</c>.</summary>
public sealed class UploadCurlTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "upload-" + Guid.NewGuid().ToString("N"));

    [SkippableFact]
    public async Task Curl_uploads_a_file_to_a_resource_and_an_endpoint_matches_an_upload()
    {
        Skip.If(!File.Exists("/usr/bin/curl"), "no curl on this machine");
        await using var service = await ApiProcess.StartAsync(_dataDir);
        using var client = new HttpClient { BaseAddress = service.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.RegisterAndLoginAsync());
        var slug = UniqueSlug("upload");
        var id = (await client.CreateProjectAsync(slug)).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{id}/resources", Payload("""{"name":"photos"}"""))).StatusCode);
        await client.CreateEndpointAsync(slug, """
            {"method":"POST","path":"/scan","request":{"multipart":[{"name":"file","filename":{"matches":".*\\.png"},"contentType":{"equalTo":"image/png"},"body":{"contains":"PNG"}}]},
             "response":{"status":200,"template":true,"body":"scanned {{request.parts.file.filename}}"}}
            """);
        var file = Path.Combine(_dataDir, "cat.png");
        var bytes = new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 1, 2, 3 };
        await File.WriteAllBytesAsync(file, bytes);

        var uploaded = JsonDocument.Parse(await CurlAsync("-s", "-F", "title=a cat", "-F", $"image=@{file};type=image/png", $"{service.Address}m/{slug}/photos")).RootElement;
        Assert.Equal("a cat", uploaded.GetProperty("title").GetString());
        var url = uploaded.GetProperty("image").GetProperty("url").GetString()!;
        Assert.Equal(bytes, await client.GetByteArrayAsync(url));
        Assert.Equal("scanned cat.png", await CurlAsync("-s", "-F", $"file=@{file};type=image/png", $"{service.Address}m/{slug}/scan"));
    }

    private static async Task<string> CurlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
