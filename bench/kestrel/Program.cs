// The "physical limit" baseline: bare Kestrel returning the stub's bytes, nothing else.
var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "stub.json"));
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.Run(async context =>
{
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body);
});
app.Run();
