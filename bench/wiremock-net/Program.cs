using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

// WireMock.Net serving the stub. Arguments: <port> [nolog]; "nolog" sets MaxRequestLogCount = 0.
var port = int.Parse(args[0]);
var noLog = args.Length > 1 && args[1] == "nolog";
var body = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "stub.json"));
var server = WireMockServer.Start(new WireMockServerSettings
{
    Port = port,
    StartAdminInterface = false,
    MaxRequestLogCount = noLog ? 0 : null,
});
server.Given(Request.Create().WithPath("/m/bench/users/1").UsingGet())
    .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));
Console.WriteLine($"WireMock.Net listening on {port} (request log {(noLog ? "off" : "on")})");
await Task.Delay(Timeout.Infinite);
