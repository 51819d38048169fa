using OrleansMock.Api.Hosting;
using OrleansMock.Silo.Hosting;

// Content root is where the binaries and appsettings.json are, so the service behaves the same whether started with
// `dotnet run --project api` or `dotnet OrleansMock.Api.dll` from any folder. The data folder stays relative to the
// working directory (OrleansMock:DataDir). A setting a user can fix ends the process with one line and exit code 1.
return await StartupFailure.RunAsync(async () =>
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.UseDefaultUrlUnlessConfigured("http://localhost:5080");
    builder.AddOrleansMock();

    var app = builder.Build();
    app.MapOrleansMock();
    await app.RunAsync();
});

/// <summary>Entry point; public so functional tests can host it with WebApplicationFactory.</summary>
public partial class Program;
