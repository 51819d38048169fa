using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OrleansMock.Tests.Http;
using static Microsoft.Playwright.Assertions;

namespace OrleansMock.Tests.Browser;

/// <summary>
/// The web console in a real browser (Chromium, through Playwright) against the api process: a person's paths through
/// it, end to end, with the test checking the server's side over HTTP where the console changed something.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleTests(ConsoleFixture fixture)
{
    private const string Password = "console password 1";

    private Uri Base => fixture.Api.Address;

    private async Task<(IPage Page, List<string> Console)> OpenAsync(int width = 1280, int height = 800)
    {
        Skip.If(fixture.Browser is null, fixture.SkipReason);
        var context = await fixture.Browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = Base.ToString() });
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) => { lock (console) { console.Add(message.Text); } };
        page.Dialog += (_, dialog) => { lock (console) { console.Add("dialog: " + dialog.Message); } _ = dialog.DismissAsync(); };
        await page.GotoAsync("/");
        return (page, console);
    }

    private static async Task<string> SignUpAsync(IPage page)
    {
        var email = $"console-{Guid.NewGuid():N}@example.com";
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await Expect(page.GetByText("At least 8 characters, 4 of them different")).ToBeVisibleAsync(); // the rule, before a refusal
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
        return email;
    }

    /// <summary>Creates a project in the console; answers its mock base URL as the page shows it.</summary>
    private static async Task<string> CreateProjectAsync(IPage page, string name)
    {
        await page.GotoAsync("/#/projects");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        var url = page.GetByTestId("mock-url");
        await Expect(url).ToContainTextAsync("/m/");
        return (await url.TextContentAsync())!;
    }

    private static async Task AddEndpointAsync(IPage page, string path, string body, string contentType = "application/json")
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" }).ClickAsync();
        await page.GetByLabel("Path", new() { Exact = true }).FillAsync(path);
        await page.GetByLabel("Content type").FillAsync(contentType);
        await page.GetByLabel("Body", new() { Exact = true }).FillAsync(body);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = path, Exact = true })).ToBeVisibleAsync();
    }

    private Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.ScreenshotFolder, name + ".png"), FullPage = true });

    [SkippableFact]
    public async Task Sign_up_create_a_project_add_an_endpoint_and_see_its_call_in_the_live_request_log()
    {
        var (page, _) = await OpenAsync();
        await ScreenshotAsync(page, "sign-in");
        await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Shop " + Guid.NewGuid().ToString("N")[..6]);

        await AddEndpointAsync(page, "/hello", "{\"hi\": 1}");
        // Conditions and several responses in turn, from the form alone.
        await page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" }).ClickAsync();
        await page.GetByLabel("Path", new() { Exact = true }).FillAsync("/turns");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add condition" }).ClickAsync();
        await page.GetByLabel("Condition 1 name").FillAsync("v");
        await page.GetByLabel("Condition 1 value").FillAsync("1");
        await page.GetByLabel("Body", new() { Exact = true }).FillAsync("{\"turn\": 1}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add response" }).ClickAsync();
        await page.GetByLabel("Status (response 2)").FillAsync("201");
        await page.GetByLabel("Body (response 2)").FillAsync("{\"turn\": 2}");
        await page.GetByLabel("Several responses: which one answers").SelectOptionAsync("sequence");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "/turns", Exact = true })).ToBeVisibleAsync();
        using (var mock = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.NotFound, (await mock.GetAsync(mockUrl + "/turns")).StatusCode); // the condition holds
            Assert.Equal("{\"turn\":1}", await mock.GetStringAsync(mockUrl + "/turns?v=1"));
            var second = await mock.GetAsync(mockUrl + "/turns?v=1");
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
            Assert.Equal("{\"turn\":2}", await second.Content.ReadAsStringAsync());
        }
        // Variants of one path tell themselves apart by name; a response that can never answer is flagged in the list
        // and in the editor (issue 33, friction 7).
        await page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" }).ClickAsync();
        await page.GetByLabel("Path", new() { Exact = true }).FillAsync("/twice");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("first wins");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add response" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        var twice = page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = "/twice" });
        await Expect(twice.GetByText("first wins")).ToBeVisibleAsync();
        await Expect(twice.GetByText("a response can never answer")).ToBeVisibleAsync();
        await twice.GetByRole(AriaRole.Button, new() { NameString = "Edit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Note).Filter(new() { HasTextString = "can never answer" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        // A bad body is refused next to the field, before anything is sent.
        await page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" }).ClickAsync();
        await page.GetByLabel("Path", new() { Exact = true }).FillAsync("/broken");
        await page.GetByLabel("Body", new() { Exact = true }).FillAsync("{oops");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.GetByText("body is not valid JSON")).ToBeVisibleAsync();
        // The server's own refusal (the same request twice) is shown by the field it names.
        await page.GetByLabel("Path", new() { Exact = true }).FillAsync("/hello");
        await page.GetByLabel("Body", new() { Exact = true }).FillAsync("{}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.Locator(".field-error", new() { HasTextString = "already answers" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "endpoint-editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await ScreenshotAsync(page, "endpoints");

        await page.GetByRole(AriaRole.Link, new() { Name = "Request log" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "Live" })).ToBeVisibleAsync();
        using var client = new HttpClient();
        var called = await client.GetAsync(mockUrl + "/hello?from=test");
        Assert.Equal(HttpStatusCode.OK, called.StatusCode);
        Assert.Equal("{\"hi\":1}", await called.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(mockUrl + "/nothing-here")).StatusCode);

        // Both appear without a reload: the hit with the endpoint that answered, the miss with why.
        var log = page.GetByRole(AriaRole.List, new() { Name = "Requests, newest first" });
        await Expect(log.GetByText("/hello?from=test")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(log.GetByText("/nothing-here")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await log.GetByText("/nothing-here").ClickAsync();
        var miss = log.Locator("li", new() { HasTextString = "/nothing-here" });
        await Expect(miss.GetByText("Why not matched")).ToBeVisibleAsync();
        await Expect(miss.GetByText("closest: GET")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "request-log");
    }

    [SkippableFact]
    public async Task Resource_records_are_browsed_filtered_sorted_and_edited_in_a_table()
    {
        var (page, _) = await OpenAsync();
        await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Blog " + Guid.NewGuid().ToString("N")[..6]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Resources" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("posts");
        await page.GetByLabel("Seed (optional)", new() { Exact = false }).FillAsync("""[{"id":1,"title":"first","views":5},{"id":2,"title":"second","views":50},{"id":3,"title":"third","views":7}]""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create resource" }).ClickAsync();
        var table = page.Locator("table.records");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(3);

        await page.GetByLabel("Filter", new() { Exact = true }).FillAsync("title_like=sec");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByLabel("Filter", new() { Exact = true }).FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await table.GetByRole(AriaRole.Button, new() { Name = "views" }).ClickAsync(); // ascending
        await table.GetByRole(AriaRole.Button, new() { Name = "views ↑" }).ClickAsync(); // descending
        await Expect(table.Locator("tbody tr").First).ToContainTextAsync("second");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit record 1" }).ClickAsync();
        await page.GetByLabel("Record 1 (JSON)").FillAsync("""{"id":1,"title":"changed","views":5}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await Expect(table.GetByRole(AriaRole.Cell, new() { Name = "changed", Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete record 3" }).ClickAsync();
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "resources");

        using var client = new HttpClient();
        var record = await client.GetFromJsonAsync<JsonElement>(mockUrl + "/posts/1");
        Assert.Equal("changed", record.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(mockUrl + "/posts/3")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Reset to seed" }).ClickAsync();
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(3);
    }

    [SkippableFact]
    public async Task The_tester_sends_to_the_users_own_mock_with_no_setting_and_shows_the_answer_and_the_history()
    {
        var (page, _) = await OpenAsync();
        var email = await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Target " + Guid.NewGuid().ToString("N")[..6]);
        await AddEndpointAsync(page, "/users/:id", "{\"id\": 7, \"name\": \"Ann\"}");

        await page.GetByRole(AriaRole.Link, new() { Name = "API tester" }).ClickAsync();
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync(mockUrl + "/users/7?verbose=1");
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Params (1)" })).ToBeVisibleAsync(); // the query went to the table
        await page.GetByRole(AriaRole.Tab, new() { Name = "Headers (0)" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add header" }).ClickAsync();
        await page.GetByLabel("Header 1 name").FillAsync("X-Trace");
        await page.GetByLabel("Header 1 value").FillAsync("abc");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        await Expect(page.GetByTestId("response-status")).ToHaveTextAsync("200");
        await Expect(page.GetByTestId("response-body")).ToContainTextAsync("\"name\": \"Ann\""); // pretty-printed
        var history = page.GetByRole(AriaRole.List, new() { Name = "Sent requests, newest first" });
        await Expect(history.GetByText("/users/7?verbose=1")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "tester");

        // The server sent it with the header from the table, and kept it in the user's history.
        using var client = new HttpClient { BaseAddress = Base };
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        var sent = (await client.GetFromJsonAsync<JsonElement>("/api/v1/tester/history")).GetProperty("items")[0];
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/v1/tester/history/{sent.GetProperty("id").GetString()}");
        Assert.Equal("abc", detail.GetProperty("request").GetProperty("headers").GetProperty("X-Trace").GetString());
        // No credential is kept where a script could read it later: the token lives in the page's memory only, and the
        // one cookie is the HttpOnly console session (A_sign_in_lasts_across_reloads_and_tabs_until_signing_out).
        Assert.Empty(await page.EvaluateAsync<string[]>("() => Object.keys(localStorage).concat(Object.keys(sessionStorage))"));
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
        Assert.All(await page.Context.CookiesAsync(), c => Assert.True(c.HttpOnly && c.Name == "om_session"));

        await history.GetByRole(AriaRole.Button, new() { Name = $"Delete GET {mockUrl}/users/7?verbose=1 from history" }).ClickAsync();
        await Expect(history.GetByText("Nothing sent yet.")).ToBeVisibleAsync();
    }

    [SkippableFact]
    public async Task Environments_and_collections_save_reorder_and_run_requests_with_variables()
    {
        var (page, _) = await OpenAsync();
        await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Suite " + Guid.NewGuid().ToString("N")[..6]);
        await AddEndpointAsync(page, "/users/:id", "{\"id\": 3}");
        await page.GetByRole(AriaRole.Link, new() { Name = "API tester" }).ClickAsync();

        await page.GetByRole(AriaRole.Tab, new() { Name = "Environments" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New environment" }).ClickAsync();
        await page.GetByLabel("Environment name").FillAsync("local");
        await page.GetByLabel("Variable 1 name").FillAsync("base");
        await page.GetByLabel("Variable 1 value").FillAsync(mockUrl);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save environment" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "local", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Environment", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "local" });
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync("{{base}}/users/3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByTestId("response-status")).ToHaveTextAsync("200");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Collections" }).ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "New collection" }).FillAsync("Smoke");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        foreach (var (path, name) in new[] { ("/users/3", "First"), ("/nowhere", "Second") })
        {
            await page.GetByLabel("URL", new() { Exact = true }).FillAsync("{{base}}" + path);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add current request" }).ClickAsync();
            await page.GetByLabel("Name of the saved request").FillAsync(name);
            await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Open " + name })).ToBeVisibleAsync();
        }
        var items = page.Locator("ul.tree ol > li");
        await Expect(items.First).ToContainTextAsync("First");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move Second up" }).ClickAsync();
        await Expect(items.First).ToContainTextAsync("Second");

        // Run each saved request with the chosen environment: {{base}} is substituted by the server.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run First" }).ClickAsync();
        await Expect(page.GetByTestId("response-status")).ToHaveTextAsync("200");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run Second" }).ClickAsync();
        await Expect(page.GetByTestId("response-status")).ToHaveTextAsync("404");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open First" }).ClickAsync();
        await Expect(page.GetByLabel("URL", new() { Exact = true })).ToHaveValueAsync("{{base}}/users/3");
        await ScreenshotAsync(page, "collections");
    }

    [SkippableFact]
    public async Task A_sign_in_lasts_across_reloads_and_tabs_until_signing_out()
    {
        var (page, console) = await OpenAsync();
        await SignUpAsync(page);
        await CreateProjectAsync(page, "Kept across reloads");

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Kept across reloads" })).ToBeVisibleAsync(); // still signed in, same page
        var second = await page.Context.NewPageAsync();
        await second.GotoAsync("/#/projects");
        await Expect(second.GetByRole(AriaRole.Link, new() { Name = "Kept across reloads" })).ToBeVisibleAsync();

        // The session lives in a cookie scripts cannot read, sent to the session route only.
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
        var cookie = Assert.Single(await page.Context.CookiesAsync());
        Assert.Equal(("om_session", "/api/v1/auth/session", true, true, SameSiteAttribute.Strict),
            (cookie.Name, cookie.Path, cookie.HttpOnly, cookie.Secure, cookie.SameSite));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Empty(await page.Context.CookiesAsync());
        await second.ReloadAsync();
        await Expect(second.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        lock (console)
        {
            Assert.DoesNotContain(console, m => m.Contains("error", StringComparison.OrdinalIgnoreCase) && !m.Contains("401", StringComparison.Ordinal));
        }
    }

    /// <summary>A client signed in as the console's user (the tests check through the API what the console changed).</summary>
    private async Task<HttpClient> ApiClientAsync(string email)
    {
        var client = new HttpClient { BaseAddress = Base };
        var login = await (await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password })).Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("token").GetString());
        return client;
    }

    private const string PetsDocument = """
        openapi: 3.0.3
        info: { title: Pets, version: "1.2" }
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: the pets
                  content: { application/json: { example: [{ id: 1, name: Rex }] } }
          /pets/{id}:
            get:
              parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
              responses:
                "200":
                  description: a pet
                  content: { application/json: { example: { id: 1, name: Rex } } }
        """;

    [SkippableFact]
    public async Task OpenApi_and_WireMock_mappings_are_imported_with_the_plan_shown_first_and_exported()
    {
        var (page, _) = await OpenAsync();
        var email = await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Imports " + Guid.NewGuid().ToString("N")[..6]);
        var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
        using var client = await ApiClientAsync(email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Import & export" }).ClickAsync();

        await page.GetByLabel("OpenAPI file").SetInputFilesAsync(new FilePayload { Name = "pets.yaml", MimeType = "application/yaml", Buffer = System.Text.Encoding.UTF8.GetBytes(PetsDocument) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var plan = page.GetByRole(AriaRole.Region, new() { Name = "Import plan" });
        await Expect(plan.GetByRole(AriaRole.Heading, new() { Name = "Create: 2" })).ToBeVisibleAsync();
        await Expect(plan).ToContainTextAsync("/pets/{id}");
        await ScreenshotAsync(page, "import-plan");
        var before = await client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{slug}/endpoints");
        Assert.Equal(0, before.GetProperty("items").GetArrayLength()); // a preview changes nothing

        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported \"Pets\" 1.2: 2 created");
        using (var mock = new HttpClient())
        {
            Assert.Equal("Rex", (await mock.GetFromJsonAsync<JsonElement>(mockUrl + "/pets/1")).GetProperty("name").GetString());
        }

        var mappings = """{"mappings":[{"request":{"method":"GET","urlPath":"/hello"},"response":{"status":200,"body":"hi"}}]}""";
        await page.GetByLabel("Import a mappings file").SetInputFilesAsync(new FilePayload { Name = "hello.json", MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(mappings) });
        await Expect(page.GetByText("Imported 1 mapping from hello.json.")).ToBeVisibleAsync();
        using (var mock = new HttpClient())
        {
            Assert.Equal("hi", await mock.GetStringAsync(mockUrl + "/hello"));
        }
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export mappings" }).ClickAsync());
        Assert.Equal($"{slug}-wiremock-mappings.json", download.SuggestedFilename);
        var exported = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)).RootElement;
        Assert.Equal(3, exported.GetProperty("mappings").GetArrayLength());
        Assert.Equal(3, exported.GetProperty("meta").GetProperty("total").GetInt32());
        await ScreenshotAsync(page, "import-export");
    }

    /// <summary>A signed-up user's new project with one endpoint, GET /order, stepping a scenario new -> paid -> shipped; its mock URL.</summary>
    private async Task<(IPage Page, string MockUrl)> ScenarioProjectAsync(string name)
    {
        var (page, _) = await OpenAsync();
        var email = await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, name + " " + Guid.NewGuid().ToString("N")[..6]);
        var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
        using var client = await ApiClientAsync(email);
        var created = await client.PostAsync($"/api/v1/projects/{slug}/endpoints", new StringContent("""
            {"method":"GET","path":"/order","responses":[
              {"status":200,"body":{"state":"new"},"scenario":{"name":"order","requiredState":"Started","newState":"paid"}},
              {"status":200,"body":{"state":"paid"},"scenario":{"name":"order","requiredState":"paid","newState":"shipped"}},
              {"status":200,"body":{"state":"shipped"},"scenario":{"name":"order","requiredState":"shipped"}}]}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (page, mockUrl);
    }

    [SkippableFact]
    public async Task Scenarios_are_shown_moved_by_hand_and_reset()
    {
        var (page, mockUrl) = await ScenarioProjectAsync("Scenarios");
        using var mock = new HttpClient();
        await mock.GetStringAsync(mockUrl + "/order"); // Started -> paid

        await page.GetByRole(AriaRole.Link, new() { Name = "Scenarios" }).ClickAsync();
        await Expect(page.GetByTestId("state-order")).ToHaveTextAsync("paid");
        await page.GetByLabel("State of order").SelectOptionAsync("shipped");
        await Expect(page.GetByTestId("state-order")).ToHaveTextAsync("shipped");
        Assert.Contains("shipped", await mock.GetStringAsync(mockUrl + "/order"));
        await ScreenshotAsync(page, "scenarios");

        await page.GetByRole(AriaRole.Button, new() { Name = "Reset scenarios and sequences" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.GetByTestId("state-order")).ToHaveTextAsync("Started");
        Assert.Contains("\"new\"", await mock.GetStringAsync(mockUrl + "/order"));
    }

    /// <summary>Through the console: the owner creates a team and invites a member with a role, who accepts with the token.</summary>
    private async Task TeamWithMemberAsync(IPage owner, string team, IPage member, string memberEmail, string role, string? screenshot = null)
    {
        await owner.GetByRole(AriaRole.Link, new() { Name = "Teams" }).ClickAsync();
        await owner.GetByLabel("Team name").FillAsync(team);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create team" }).ClickAsync();
        await Expect(owner.GetByTestId($"team-role-{team}")).ToHaveTextAsync("owner");
        await owner.GetByLabel("Email to invite").FillAsync(memberEmail);
        await owner.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync(role);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Invite", Exact = true }).ClickAsync();
        var token = await owner.GetByTestId("invitation-token").TextContentAsync();
        if (screenshot is not null)
        {
            await ScreenshotAsync(owner, screenshot);
        }
        await member.GetByRole(AriaRole.Link, new() { Name = "Teams" }).ClickAsync();
        await member.GetByLabel("Invitation token").FillAsync(token!);
        await member.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" }).ClickAsync();
        await Expect(member.GetByTestId($"team-role-{team}")).ToHaveTextAsync(role);
    }

    [SkippableFact]
    public async Task A_team_shares_a_project_a_viewer_sees_no_edit_controls_and_the_history_restores_a_change()
    {
        var (viewerPage, _) = await OpenAsync();
        var viewerEmail = await SignUpAsync(viewerPage);
        var (page, _) = await OpenAsync();
        var ownerEmail = await SignUpAsync(page);

        // The owner creates a team and invites the viewer.
        await TeamWithMemberAsync(page, "Payments", viewerPage, viewerEmail, "viewer", screenshot: "teams");

        // A team project, an endpoint, and a change to it through the API.
        await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Shared " + Guid.NewGuid().ToString("N")[..6]);
        await page.GetByLabel("Owner").SelectOptionAsync(new SelectOptionValue { Label = "Team Payments" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        var mockUrl = (await page.GetByTestId("mock-url").TextContentAsync())!;
        var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
        await AddEndpointAsync(page, "/price", "{\"amount\": 10}");
        using var owner = await ApiClientAsync(ownerEmail);
        var endpoint = (await owner.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{slug}/endpoints")).GetProperty("items")[0];
        var changed = await owner.PutAsync($"/api/v1/projects/{slug}/endpoints/{endpoint.GetProperty("id").GetString()}",
            new StringContent("""{"method":"GET","path":"/price","response":{"body":{"amount":99}}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        // The history shows both changes with who made them; restoring the second brings the first answer back.
        await page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        var changes = page.GetByRole(AriaRole.List, new() { Name = "Changes, newest first" });
        await Expect(changes.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await changes.GetByRole(AriaRole.Listitem).First.Locator("summary").ClickAsync();
        await Expect(changes.GetByRole(AriaRole.Listitem).First).ToContainTextAsync("changed endpoint");
        await Expect(changes.GetByRole(AriaRole.Listitem).First).ToContainTextAsync(ownerEmail);
        await Expect(page.Locator("pre.diff .added").Filter(new() { HasTextString = "\"amount\": 99" })).ToHaveCountAsync(1);
        await Expect(page.Locator("pre.diff .removed").Filter(new() { HasTextString = "\"amount\": 10" })).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "history");
        await changes.GetByRole(AriaRole.Button, new() { Name = "Restore" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "Restored" })).ToBeVisibleAsync();
        using var mock = new HttpClient();
        Assert.Contains("10", await mock.GetStringAsync(mockUrl + "/price"));

        // The viewer reads the project without edit controls, and a forced change is a 403.
        await viewerPage.GotoAsync($"/#/projects/{slug}/endpoints");
        await Expect(viewerPage.GetByRole(AriaRole.Note)).ToContainTextAsync("viewer");
        await Expect(viewerPage.GetByRole(AriaRole.Cell, new() { Name = "/price", Exact = true })).ToBeVisibleAsync();
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "New endpoint" })).ToHaveCountAsync(0);
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Edit GET /price" })).ToHaveCountAsync(0);
        await viewerPage.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        await Expect(viewerPage.GetByRole(AriaRole.List, new() { Name = "Changes, newest first" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(3);
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Restore" })).ToHaveCountAsync(0);
        // ... and on every other tab: records, the log, scenarios, imports, settings are read-only for them.
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsync($"/api/v1/projects/{slug}/resources",
            new StringContent("""{"name":"notes","seed":[{"id":1,"text":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        await viewerPage.GetByRole(AriaRole.Link, new() { Name = "Resources" }).ClickAsync();
        await viewerPage.GetByRole(AriaRole.Button, new() { Name = "notes", Exact = true }).ClickAsync();
        await Expect(viewerPage.GetByRole(AriaRole.Cell, new() { Name = "hi", Exact = true })).ToBeVisibleAsync();
        foreach (var control in new[] { "Delete resource notes", "Reset to seed", "Add record", "Edit record 1", "Delete record 1" })
        {
            await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = control })).ToHaveCountAsync(0);
        }
        await Expect(viewerPage.GetByRole(AriaRole.Form, new() { Name = "New resource" })).ToHaveCountAsync(0);
        await viewerPage.GetByRole(AriaRole.Link, new() { Name = "Request log" }).ClickAsync();
        await Expect(viewerPage.GetByRole(AriaRole.Heading, new() { Name = "Request log" })).ToBeVisibleAsync();
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Clear" })).ToHaveCountAsync(0);
        await viewerPage.GetByRole(AriaRole.Link, new() { Name = "Import & export" }).ClickAsync();
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Export mappings" })).ToBeVisibleAsync();
        await Expect(viewerPage.GetByRole(AriaRole.Form, new() { Name = "Import an OpenAPI document" })).ToHaveCountAsync(0);
        await Expect(viewerPage.GetByLabel("Import a mappings file")).ToHaveCountAsync(0);
        await viewerPage.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(viewerPage.GetByLabel("Name", new() { Exact = true })).ToBeDisabledAsync();
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToHaveCountAsync(0);
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Delete project" })).ToHaveCountAsync(0);
        using var viewer = await ApiClientAsync(viewerEmail);
        var forced = await viewer.PostAsync($"/api/v1/projects/{slug}/endpoints",
            new StringContent("""{"method":"GET","path":"/x","response":{}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, forced.StatusCode);
    }

    [SkippableFact]
    public async Task An_editor_moves_a_personal_project_to_the_team_and_changes_it_but_only_owners_delete_it()
    {
        var (editorPage, _) = await OpenAsync();
        var editorEmail = await SignUpAsync(editorPage);
        var (page, _) = await OpenAsync();
        await SignUpAsync(page);
        await TeamWithMemberAsync(page, "Platform", editorPage, editorEmail, "editor");

        // The editor's own project, with an endpoint, moved to the team from its settings.
        var mockUrl = await CreateProjectAsync(editorPage, "Mine " + Guid.NewGuid().ToString("N")[..6]);
        await AddEndpointAsync(editorPage, "/mine", "{\"kept\": true}");
        await editorPage.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await editorPage.GetByLabel("Team", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Platform" });
        await editorPage.GetByRole(AriaRole.Button, new() { Name = "Move to team" }).ClickAsync();
        await editorPage.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(editorPage.GetByText("A team project; your role:")).ToBeVisibleAsync();
        await Expect(editorPage.GetByRole(AriaRole.Button, new() { Name = "Delete project" })).ToHaveCountAsync(0);
        await Expect(editorPage.GetByLabel("Slug")).ToBeDisabledAsync();

        // An editor still changes what the project defines, and saves its settings.
        await editorPage.GetByLabel("Name", new() { Exact = true }).FillAsync("Renamed by the editor");
        await editorPage.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(editorPage.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "Saved" })).ToBeVisibleAsync();
        await editorPage.GetByRole(AriaRole.Link, new() { Name = "Endpoints" }).ClickAsync();
        await Expect(editorPage.GetByRole(AriaRole.Button, new() { Name = "New endpoint" })).ToBeVisibleAsync();

        // The team's owner now sees it among their projects, deletes it, and it is gone for the editor too.
        await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Renamed by the editor" }).ClickAsync();
        using var mock = new HttpClient();
        Assert.Contains("kept", await mock.GetStringAsync(mockUrl + "/mine"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete project" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await mock.GetAsync(mockUrl + "/mine")).StatusCode);
    }

    [SkippableFact]
    public async Task The_tester_uploads_a_file_from_the_picker_as_a_multipart_body()
    {
        var (page, _) = await OpenAsync();
        var email = await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Upload " + Guid.NewGuid().ToString("N")[..6]);
        var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
        using var client = await ApiClientAsync(email);
        var created = await client.PostAsync($"/api/v1/projects/{slug}/endpoints", new StringContent("""
            {"method":"POST","path":"/scan","request":{"multipart":[{"name":"file","filename":{"equalTo":"cat.png"},"body":{"contains":"PNG"}}]},
             "response":{"status":200,"template":true,"body":"scanned {{request.parts.file.filename}} {{request.parts.note.body}}"}}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await page.GetByRole(AriaRole.Link, new() { Name = "API tester" }).ClickAsync();
        await page.GetByLabel("Method").SelectOptionAsync("POST");
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync(mockUrl + "/scan");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Body" }).ClickAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "multipart" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add part" }).ClickAsync();
        await page.GetByLabel("Part 1 name").FillAsync("note");
        await page.GetByLabel("Part 1 value").FillAsync("from the browser");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add part" }).ClickAsync();
        await page.GetByLabel("Part 2 name").FillAsync("file");
        await page.GetByLabel("Part 2 file").SetInputFilesAsync(new FilePayload
        {
            Name = "cat.png", MimeType = "image/png", Buffer = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10],
        });
        await Expect(page.GetByText("cat.png (8 B)")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByTestId("response-status")).ToHaveTextAsync("200");
        await Expect(page.GetByTestId("response-body")).ToContainTextAsync("scanned cat.png from the browser");
        await ScreenshotAsync(page, "tester-upload");
    }

    [SkippableFact]
    public async Task A_GraphQL_API_is_defined_from_its_schema_refused_when_wrong_and_tried()
    {
        var (page, _) = await OpenAsync();
        await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "GraphQL " + Guid.NewGuid().ToString("N")[..6]);
        await page.GetByRole(AriaRole.Link, new() { Name = "GraphQL" }).ClickAsync();

        // A schema that names a type it does not define is refused, naming the line.
        var schema = page.GetByLabel("Schema (SDL)");
        await schema.FillAsync("type Query {\n  user(id: ID!): Userr\n}");
        await page.GetByLabel("Values").FillAsync("{}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create GraphQL API" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasTextString = "line 2" })).ToBeVisibleAsync();

        await schema.FillAsync("type Query {\n  user(id: ID!): User\n}\ntype User { id: ID! name: String! email: String }");
        await page.GetByLabel("Values").FillAsync("""{"Query.user": {"id": "{{args.id}}", "name": "Ada Lovelace"}}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create GraphQL API" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "Saved" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Operation" }).FillAsync("query GetUser($id: ID!) { user(id: $id) { id name email } }");
        await page.GetByLabel("Variables").FillAsync("""{"id": "7"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        var answer = page.GetByTestId("graphql-answer");
        await Expect(answer).ToContainTextAsync("\"Ada Lovelace\"");
        await Expect(answer).ToContainTextAsync("\"7\"");
        await ScreenshotAsync(page, "graphql");

        // The same API from outside, as a client sends it.
        using var client = new HttpClient();
        var response = await client.PostAsync(mockUrl + "/graphql", new StringContent("""{"query":"{ user(id: 3) { name } }"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Contains("Ada Lovelace", await response.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task Test_sessions_are_listed_shown_in_the_log_and_scenarios_and_deleted()
    {
        var (page, mockUrl) = await ScenarioProjectAsync("Sessions");
        using var mock = new HttpClient();
        async Task<string> InSessionAsync(string session, string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, mockUrl + path);
            request.Headers.Add("X-Mock-Session", session);
            return await (await mock.SendAsync(request)).Content.ReadAsStringAsync();
        }
        await InSessionAsync("ci-1", "/order");
        await InSessionAsync("ci-1", "/order");
        await InSessionAsync("ci-2", "/unknown");

        await page.GetByRole(AriaRole.Link, new() { Name = "Test sessions" }).ClickAsync();
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Test sessions" });
        await Expect(table.GetByRole(AriaRole.Rowheader, new() { Name = "ci-1" })).ToBeVisibleAsync();
        await Expect(table.GetByRole(AriaRole.Rowheader, new() { Name = "ci-2" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "sessions");

        await page.GetByRole(AriaRole.Link, new() { Name = "Scenarios" }).ClickAsync();
        await Expect(page.GetByTestId("state-order")).ToHaveTextAsync("Started");
        await page.GetByLabel("Test session").SelectOptionAsync("ci-1");
        await Expect(page.GetByTestId("state-order")).ToHaveTextAsync("shipped");

        await page.GetByRole(AriaRole.Link, new() { Name = "Request log" }).ClickAsync();
        var log = page.GetByRole(AriaRole.List, new() { Name = "Requests, newest first" });
        await page.GetByLabel("Test session").SelectOptionAsync("ci-2");
        await Expect(log.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        await Expect(log).ToContainTextAsync("/unknown");
        await InSessionAsync("ci-2", "/order"); // arrives live, in the session's slice only
        await Expect(log.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await page.GetByLabel("Test session").SelectOptionAsync("");
        await Expect(log).ToHaveTextAsync("No requests yet."); // the project's own: no session's request

        await page.GetByRole(AriaRole.Link, new() { Name = "Test sessions" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete session ci-1" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(table.GetByRole(AriaRole.Rowheader, new() { Name = "ci-1" })).ToHaveCountAsync(0);
        Assert.Contains("\"new\"", await InSessionAsync("ci-1", "/order")); // deleted, so reset
    }

    [SkippableFact]
    public async Task Settings_set_cors_foreign_keys_and_a_proxy_fallback_and_a_recording_starts_and_stops()
    {
        var (page, _) = await OpenAsync();
        var email = await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Settings " + Guid.NewGuid().ToString("N")[..6]);
        var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
        using var client = await ApiClientAsync(email);

        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        var cors = page.GetByLabel("CORS", new() { Exact = false });
        var wasCors = await cors.IsCheckedAsync();
        await cors.SetCheckedAsync(!wasCors);
        await page.GetByLabel("Foreign-key suffix").FillAsync("_id");
        await page.GetByLabel("Fallback base URL").FillAsync("https://api.example.com");
        await page.GetByLabel("Strip this path prefix before forwarding").FillAsync("/v2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "settings");
        var project = await client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{slug}");
        Assert.Equal(!wasCors, project.GetProperty("cors").GetBoolean());
        Assert.Equal("_id", project.GetProperty("foreignKeySuffix").GetString());
        Assert.Equal("https://api.example.com", project.GetProperty("proxy").GetProperty("baseUrl").GetString());
        Assert.Equal("/v2", project.GetProperty("proxy").GetProperty("stripPrefix").GetString());

        await page.GetByLabel("Fallback base URL").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        var removed = false; // "Saved." was on the page already: wait for the second save itself
        for (var i = 0; i < 50 && !removed; i++, await Task.Delay(100))
        {
            removed = !(await client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{slug}")).TryGetProperty("proxy", out var proxy) || proxy.ValueKind == JsonValueKind.Null;
        }
        Assert.True(removed, "an empty base URL removes the fallback");

        await page.GetByRole(AriaRole.Link, new() { Name = "Recording" }).ClickAsync();
        await page.GetByLabel("Real API base URL").FillAsync("https://api.example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start recording" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Recording from https://api.example.com");
        await ScreenshotAsync(page, "recording");
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{slug}/recordings/status");
        Assert.True(status.GetProperty("recording").GetBoolean());
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop recording" }).ClickAsync();
        await Expect(page.GetByText("No endpoints: nothing was recorded.")).ToBeVisibleAsync();
        Assert.False((await client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{slug}/recordings/status")).GetProperty("recording").GetBoolean());
    }

    [SkippableFact]
    public async Task A_proxy_endpoint_is_defined_in_the_form()
    {
        var (page, _) = await OpenAsync();
        var email = await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Proxy " + Guid.NewGuid().ToString("N")[..6]);
        var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
        using var client = await ApiClientAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" }).ClickAsync();
        await page.GetByLabel("Path", new() { Exact = true }).FillAsync("/live/:id");
        await page.GetByText("Proxy to a real API").ClickAsync();
        await page.GetByLabel("Proxy to (base URL)").FillAsync("ftp://nowhere");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.GetByText("the proxy target must be an http:// or https:// URL")).ToBeVisibleAsync();
        await page.GetByLabel("Proxy to (base URL)").FillAsync("https://api.example.com");
        await ScreenshotAsync(page, "proxy-endpoint");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "/live/:id", Exact = true })).ToBeVisibleAsync();
        var endpoint = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{slug}/endpoints")).GetProperty("items")[0];
        Assert.Equal("https://api.example.com", endpoint.GetProperty("response").GetProperty("proxy").GetProperty("baseUrl").GetString());
    }

    [SkippableFact]
    public async Task An_answer_in_the_tester_becomes_an_endpoint_and_webhooks_and_usage_are_shown()
    {
        var (page, _) = await OpenAsync();
        var email = await SignUpAsync(page);
        using var client = await ApiClientAsync(email);
        var targetName = "Target " + Guid.NewGuid().ToString("N")[..6];
        var target = await CreateProjectAsync(page, targetName);
        var targetSlug = target[(target.LastIndexOf('/') + 1)..];
        var source = await CreateProjectAsync(page, "Source " + Guid.NewGuid().ToString("N")[..6]);
        var sourceSlug = source[(source.LastIndexOf('/') + 1)..];
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/v1/projects/{sourceSlug}/endpoints", new StringContent("""
            {"method":"GET","path":"/users/{id}","response":{"body":{"id":7,"name":"Ann"},
             "webhooks":[{"method":"POST","url":"http://127.0.0.1:9/hook","body":"called"}]}}
            """, System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        await page.GetByRole(AriaRole.Link, new() { Name = "API tester" }).ClickAsync();
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync(source + "/users/7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByTestId("response-status")).ToHaveTextAsync("200");
        await page.GetByLabel("Save this answer as an endpoint of").SelectOptionAsync(new SelectOptionValue { Label = targetName });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as endpoint" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Form, new() { Name = "Save this answer as a mock endpoint" }).GetByRole(AriaRole.Status)).ToContainTextAsync("Saved GET /users/7 in " + targetName);
        var made = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{targetSlug}/endpoints")).GetProperty("items");
        Assert.Equal("/users/7", Assert.Single(made.EnumerateArray()).GetProperty("path").GetString());
        using (var mock = new HttpClient())
        {
            Assert.Equal("Ann", (await mock.GetFromJsonAsync<JsonElement>(target + "/users/7")).GetProperty("name").GetString());
        }

        // The mock call sent its webhook (refused: loopback is not an allowed target here); the tab shows the attempt.
        await page.GotoAsync($"/#/projects/{sourceSlug}/webhooks");
        var attempts = page.GetByRole(AriaRole.Table, new() { Name = "Webhook attempts" });
        for (var i = 0; i < 50 && await attempts.CountAsync() == 0; i++)
        {
            await Task.Delay(200);
            await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        }
        await Expect(attempts).ToContainTextAsync("http://127.0.0.1:9/hook");
        await ScreenshotAsync(page, "webhooks");

        await page.GotoAsync($"/#/projects/{sourceSlug}/settings");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Usage" })).ToContainTextAsync("1 of 500");
    }

    [SkippableFact]
    public async Task A_Postman_collection_is_imported_and_exported()
    {
        var (page, _) = await OpenAsync();
        await SignUpAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "API tester" }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Collections" }).ClickAsync();
        var postman = """
            {"info":{"name":"Shop","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
             "item":[{"name":"List users","request":{"method":"GET","url":"{{base}}/users"}}]}
            """;
        await page.GetByLabel("Import a Postman collection").SetInputFilesAsync(new FilePayload { Name = "shop.postman_collection.json", MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(postman) });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Open List users" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "postman-import");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export Shop for Postman" }).ClickAsync());
        Assert.Equal("Shop.postman_collection.json", download.SuggestedFilename);
        var exported = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)).RootElement;
        Assert.Contains("v2.1", exported.GetProperty("info").GetProperty("schema").GetString());
        Assert.Equal("List users", exported.GetProperty("item")[0].GetProperty("name").GetString());
    }

    [SkippableFact]
    public async Task An_api_key_is_shown_once_works_and_stops_working_when_revoked()
    {
        var (page, _) = await OpenAsync();
        await SignUpAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();
        await page.GetByLabel("Key name").FillAsync("ci");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var key = (await page.GetByTestId("new-key").TextContentAsync())!;
        Assert.StartsWith("om-", key);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy key: " + key })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "account");

        using var client = new HttpClient { BaseAddress = Base };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/projects")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke ci" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.GetByText("No keys yet.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("new-key")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/projects")).StatusCode);
    }

    [SkippableFact]
    public async Task Markup_in_bodies_headers_and_log_entries_is_shown_as_text_and_never_runs()
    {
        const string payload = "<script>console.log('xss-ran');window.__xss=1</script><img src=x onerror=\"console.log('xss-ran');window.__xss=2\"><b>bold</b>";
        var (page, console) = await OpenAsync();
        await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Xss " + Guid.NewGuid().ToString("N")[..6]);
        await AddEndpointAsync(page, "/page", payload, "text/html; charset=utf-8");

        // A request whose path, header and body carry markup, kept in the journal.
        using var client = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, mockUrl + "/page?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E") { Content = new StringContent(payload) };
        request.Headers.Add("X-Evil", "<img src=x onerror=alert(2)>");
        await client.SendAsync(request);
        Assert.Equal(payload, await client.GetStringAsync(mockUrl + "/page"));

        // Everywhere the console shows it: the endpoint editor, the request log, the tester (pretty, raw, preview), a records table.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit GET /page" }).ClickAsync();
        await Expect(page.GetByLabel("Body", new() { Exact = true })).ToHaveValueAsync(payload);
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Request log" }).ClickAsync();
        var log = page.GetByRole(AriaRole.List, new() { Name = "Requests, newest first" });
        await log.Locator("summary", new() { HasTextString = "POST" }).ClickAsync();
        await Expect(log.GetByText("<img src=x onerror=alert(2)>")).ToBeVisibleAsync();
        await Expect(log.GetByText(payload)).ToBeVisibleAsync(); // the body preview

        await page.GetByRole(AriaRole.Link, new() { Name = "API tester" }).ClickAsync();
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync(mockUrl + "/page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByTestId("response-body")).ToHaveTextAsync(payload);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Preview" }).ClickAsync();
        var frame = page.FrameLocator("iframe.preview");
        await Expect(frame.Locator("b")).ToHaveTextAsync("bold"); // rendered as HTML, in its sandbox
        Assert.Equal("", await page.Locator("iframe.preview").GetAttributeAsync("sandbox"));

        await page.GotoAsync("/#/projects");
        await page.GetByRole(AriaRole.Link, new() { Name = "Xss" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Resources" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("notes");
        await page.GetByLabel("Seed (optional)", new() { Exact = false }).FillAsync(JsonSerializer.Serialize(new[] { new { id = 1, text = payload } }));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create resource" }).ClickAsync();
        await Expect(page.Locator("table.records").GetByRole(AriaRole.Cell, new() { Name = payload })).ToBeVisibleAsync();
        // A control instead of a fixed wait: an image with the same broken source, its error handler set by the test
        // itself (allowed by the CSP), added after the payload's; once it has fired, an injected handler would have too.
        await page.EvaluateAsync("() => new Promise(done => { const img = new Image(); img.onerror = () => done(); img.src = 'x'; document.body.appendChild(img); })");

        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
        lock (console)
        {
            Assert.DoesNotContain(console, m => m.Contains("xss-ran") || m.StartsWith("dialog:"));
        }
    }

    [SkippableFact]
    public async Task A_person_can_sign_up_and_create_a_project_and_an_endpoint_by_keyboard_alone()
    {
        var (page, _) = await OpenAsync();
        var keyboard = page.Keyboard;
        async Task TabToAsync(string accessibleName)
        {
            for (var i = 0; i < 40; i++)
            {
                await keyboard.PressAsync("Tab");
                var focused = await page.EvaluateAsync<string>(
                    "() => { const e = document.activeElement; return e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].textContent : '') || e.textContent || ''; }");
                if (focused.Trim() == accessibleName)
                {
                    return;
                }
            }
            Assert.Fail($"Tab never reached '{accessibleName}'");
        }
        await TabToAsync("Sign up");
        await keyboard.PressAsync("Enter");
        await TabToAsync("Email");
        await keyboard.TypeAsync($"keys-{Guid.NewGuid():N}@example.com");
        await TabToAsync("Password");
        await keyboard.TypeAsync(Password);
        await keyboard.PressAsync("Enter"); // submits the form
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Projects" })).ToBeVisibleAsync();

        await TabToAsync("Name");
        await keyboard.TypeAsync("Keyboard");
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("mock-url")).ToContainTextAsync("/m/");
        await TabToAsync("New endpoint");
        await keyboard.PressAsync("Enter");
        await TabToAsync("Path");
        await keyboard.PressAsync("Control+A");
        await keyboard.TypeAsync("/typed");
        await TabToAsync("Create endpoint");
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "/typed", Exact = true })).ToBeVisibleAsync();
    }

    [SkippableFact]
    public async Task On_a_phone_every_page_fits_the_screen_without_sideways_scrolling()
    {
        var (page, _) = await OpenAsync(390, 844);
        await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "A project with a rather long name " + Guid.NewGuid().ToString("N")[..6]);
        await AddEndpointAsync(page, "/a/very/long/path/that/goes/on/and/on/{id}/with/more/segments", "{\"k\": \"v\"}");
        var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
        foreach (var route in new[] { "projects", $"projects/{slug}/endpoints", $"projects/{slug}/resources", $"projects/{slug}/requests", $"projects/{slug}/scenarios", $"projects/{slug}/sessions", $"projects/{slug}/graphql", $"projects/{slug}/history", "teams", $"projects/{slug}/webhooks", $"projects/{slug}/recording", $"projects/{slug}/transfer", $"projects/{slug}/settings", "tester", "account" })
        {
            await page.GotoAsync("/#/" + route);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"#/{route} is {overflow} px wider than the 390 px screen");
        }
        await page.GotoAsync($"/#/projects/{slug}/endpoints");
        await Expect(page.GetByRole(AriaRole.Cell).Filter(new() { HasTextString = "/a/very/long" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "phone-endpoints");
    }

    [SkippableFact]
    public async Task Every_page_passes_an_automated_accessibility_audit_in_light_and_dark()
    {
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var (page, _) = await OpenAsync();
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
            var failures = new List<string>();
            async Task AuditAsync(string where)
            {
                var result = await page.RunAxe();
                failures.AddRange(result.Violations.Where(v => v.Impact is "serious" or "critical")
                    .Select(v => $"{scheme} {where}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(", ", v.Nodes.Select(n => n.Html).Take(3))}"));
            }
            await AuditAsync("sign-in");
            await SignUpAsync(page);
            await AuditAsync("projects");
            var mockUrl = await CreateProjectAsync(page, "Audit " + Guid.NewGuid().ToString("N")[..6]);
            await AddEndpointAsync(page, "/a", "{}");
            await AuditAsync("endpoints");
            await page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" }).ClickAsync();
            await AuditAsync("endpoint editor");
            var slug = mockUrl[(mockUrl.LastIndexOf('/') + 1)..];
            foreach (var route in new[] { "resources", "graphql", "requests", "scenarios", "sessions", "history", "webhooks", "recording", "transfer", "settings" })
            {
                await page.GotoAsync($"/#/projects/{slug}/{route}");
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                await AuditAsync(route);
            }
            foreach (var route in new[] { "tester", "account", "teams" })
            {
                await page.GotoAsync("/#/" + route);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                await AuditAsync(route);
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            await page.Context.CloseAsync();
        }
    }

    [SkippableFact]
    public async Task A_tenants_script_under_the_mock_path_never_runs_on_the_consoles_origin()
    {
        var (page, _) = await OpenAsync();
        await SignUpAsync(page);
        var mockUrl = await CreateProjectAsync(page, "Scripts " + Guid.NewGuid().ToString("N")[..6]);
        await AddEndpointAsync(page, "/evil.js", "window.__evil = 1;", "application/javascript");
        using (var client = new HttpClient())
        {
            Assert.Equal("window.__evil = 1;", await client.GetStringAsync(mockUrl + "/evil.js")); // it is served
        }
        // As an injection would: a script element naming the tenant's file (it ran under script-src 'self', issue 30.11).
        var path = new Uri(mockUrl + "/evil.js").AbsolutePath;
        var ran = await page.EvaluateAsync<bool>(@"async (src) => {
            const loaded = new Promise((resolve) => {
                const script = document.createElement('script');
                script.src = src;
                script.onload = () => resolve(true);
                script.onerror = () => resolve(false);
                document.head.appendChild(script);
            });
            await Promise.race([loaded, new Promise((r) => setTimeout(r, 3000))]);
            return window.__evil === 1;
        }", path);
        Assert.False(ran, "a script served under /m/ ran on the console's origin");
        // The console's own scripts still run: the page works.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_with_a_strict_policy_and_the_right_caching()
    {
        using var client = new HttpClient { BaseAddress = Base };
        var page = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Accept", "text/html" } } });
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains($"script-src {Base.Scheme}://{Base.Authority}/assets/;", policy); // not 'self': that admits /m/ too
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Equal("no-cache", page.Headers.CacheControl!.ToString());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html); // no inline script: only <script type="module" src=...>
        var asset = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        var script = await client.GetAsync(asset);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", script.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/assets/..%2Fappsettings.json")).StatusCode);
        // An API client asking for JSON still gets the service index.
        Assert.Contains("\"openApi\"", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task The_front_end_unit_tests_pass()
    {
        var folder = Path.Combine(ApiProcess.RepositoryRoot(), "api", "console");
        var run = await NodeClients.RunAsync("npm", "test", folder);
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("passed", run.Output);
    }
}
