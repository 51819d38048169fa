using OrleansMock.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddOrleansMock();

var app = builder.Build();
app.MapOrleansMock();
app.Run();

/// <summary>Entry point; public so functional tests can host it with WebApplicationFactory.</summary>
public partial class Program;
