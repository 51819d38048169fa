using Microsoft.Playwright;
using OrleansMock.Tests.Http;

namespace OrleansMock.Tests.Browser;

/// <summary>
/// The api as a user starts it (its build output, which carries the built console) and Debian's Chromium driven by
/// Playwright. Browser downloads fail here, so the browser is the system one (<c>/usr/bin/chromium</c>, installed by
/// <c>.ci/run</c>); without it the browser tests skip, saying so.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansmock-tests", "console-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public ApiProcess Api { get; private set; } = null!;

    public IBrowser? Browser { get; private set; }

    public string? SkipReason { get; private set; }

    /// <summary>Where the screenshots go: docs/console in the repository with UPDATE_SCREENSHOTS=1, else a temporary folder.</summary>
    public string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
        ? Path.Combine(ApiProcess.RepositoryRoot(), "docs", "console")
        : Path.Combine(Path.GetTempPath(), "orleansmock-console-screenshots");

    public async Task InitializeAsync()
    {
        Api = await ApiProcess.StartAsync(_dataDir, new Dictionary<string, string>
        {
            // No tester allow-list: the tester reaches this service's own mock URLs as a user's does, with no setting.
            // Every test signs up and signs in from the same address (some sign in again through the API).
            ["OrleansMock__RateLimits__RegisterPerClient__Limit"] = "1000",
            ["OrleansMock__RateLimits__LoginPerClient__Limit"] = "1000",
        });
        using (var client = new HttpClient { BaseAddress = Api.Address })
        {
            var page = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Accept", "text/html" } } });
            if (!page.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the api serves no console at /: {await page.Content.ReadAsStringAsync()}");
            }
        }
        if (!File.Exists(ChromiumPath))
        {
            SkipReason = $"skipped: no browser at {ChromiumPath} (Debian: apt-get install chromium)";
            return;
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // The machine's network is closed: no background calls to Google's services.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await Api.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
