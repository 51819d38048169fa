using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Proxying;
using OrleansMock.Grains.Responses;
using OrleansMock.Grains.Routing;

namespace OrleansMock.Tests.Unit;

public sealed class RecordedEndpointsTests
{
    private static RecordedExchange Exchange(string path = "/items", string query = "", string? accept = null, string? body = null,
        string contentType = "application/json", byte[]? answer = null, params (string, string)[] responseHeaders) => new(
        "get", path, [.. query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).Select(p => KeyValuePair.Create(p[0], p[1]))],
        accept is null ? [] : [KeyValuePair.Create("Accept", accept)], body is null ? null : Encoding.UTF8.GetBytes(body),
        200, [KeyValuePair.Create("Content-Type", contentType), .. responseHeaders.Select(h => KeyValuePair.Create(h.Item1, h.Item2))],
        answer ?? Encoding.UTF8.GetBytes("""{"ok":true}"""));

    [Theory]
    // the parts a recording matches on make requests distinct; the others do not
    [InlineData("a=1&b=2", "b=2&a=1", true, null, true)]
    [InlineData("a=1", "a=2", true, null, false)]
    [InlineData("a=1", "a=2", false, null, true)]
    [InlineData("a=1", "a=1&b=2", true, null, false)]
    [InlineData("a=1", "a=1&b=2", false, "json", true)]
    public void Requests_are_the_same_endpoint_when_the_matched_parts_agree(string query1, string query2, bool matchQuery, string? body, bool same)
    {
        var match = new RecordMatch(Query: matchQuery, Body: body);
        Assert.Equal(same, RecordedEndpoints.Key(Exchange(query: query1), match) == RecordedEndpoints.Key(Exchange(query: query2), match));
    }

    [Fact]
    public void Json_bodies_compare_as_json_and_named_headers_are_matched_or_required_absent()
    {
        var match = new RecordMatch(Headers: ["Accept"], Body: "json");
        Assert.Equal(RecordedEndpoints.Key(Exchange(body: """{"a": 1}"""), match), RecordedEndpoints.Key(Exchange(body: """{"a":1}"""), match));
        Assert.NotEqual(RecordedEndpoints.Key(Exchange(accept: "text/html"), match), RecordedEndpoints.Key(Exchange(), match));
        var spec = RecordedEndpoints.ToSpec(Exchange(body: """{"a":1}"""), match, null);
        Assert.Equal(("GET", "/items"), (spec.Method, spec.Path));
        Assert.True(spec.Request!.Headers!["Accept"].Absent);
        Assert.Equal("""{"a":1}""", spec.Request.Body![0].EqualToJson);
    }

    [Fact]
    public void Sensitive_and_connection_headers_are_dropped_unless_kept_and_text_stays_text()
    {
        var exchange = Exchange(responseHeaders: [("Set-Cookie", "s=1"), ("X-Request-Token", "t"), ("Transfer-Encoding", "chunked"), ("ETag", "\"v1\"")]);
        var response = RecordedEndpoints.ToResponse(exchange, null);
        Assert.Equal(["ETag"], response.Headers.Keys);
        // The recorded text is kept as a JSON string of exactly the bytes the target sent (however that string escapes them).
        Assert.Equal(("application/json", false), (response.ContentType, response.Base64Body));
        Assert.Equal("""{"ok":true}""", System.Text.Json.JsonSerializer.Deserialize<string>(response.BodyJson!));
        Assert.Contains("Set-Cookie", RecordedEndpoints.ToResponse(exchange, ["set-cookie"]).Headers.Keys);
    }

    [Fact]
    public void Binary_answers_keep_their_bytes_and_a_path_with_braces_is_matched_literally()
    {
        byte[] png = [137, 80, 78, 71, 0, 255];
        var spec = RecordedEndpoints.ToSpec(Exchange(path: "/files/{raw}", contentType: "image/png", answer: png), new RecordMatch(), null);
        Assert.Equal(("", @"^/files/\{raw}$"), (spec.Path, spec.PathPattern));
        Assert.True(spec.Response.Base64Body);
        Assert.True(EndpointValidator.TryNormalize(spec, new MockLimits(), out var normalized, out var error), error);
        var compiled = ResponseCompiler.Compile(new EndpointInfo("e1", normalized, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
        Assert.Equal(png, compiled.Body);
        Assert.Equal("image/png", compiled.ContentType);
    }

    [Theory]
    [InlineData("\"not base64!\"", false)]
    [InlineData("{\"a\":1}", false)]
    [InlineData("\"AAEC\"", true)]
    public void A_base64_body_must_be_a_string_of_base64(string body, bool valid)
    {
        var spec = new EndpointSpec("GET", "/b", new ResponseDefinition(200, [], body, "application/octet-stream", 0, Base64Body: true));
        Assert.Equal(valid, EndpointValidator.TryValidate(spec, new MockLimits(), out _, out _));
    }
}
