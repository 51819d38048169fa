using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Routing;

namespace OrleansMock.Tests.Unit;

public sealed class RouteTableTests
{
    private static int _next;

    internal static EndpointInfo Endpoint(string method, string path, string body = "{}", int status = 200, string? contentType = null)
    {
        var at = DateTimeOffset.UnixEpoch.AddSeconds(Interlocked.Increment(ref _next));
        var spec = new EndpointSpec(method, path, new ResponseDefinition(status, new() { ["X-Path"] = path }, body, contentType, 0));
        return new EndpointInfo($"e_{method}{path}", spec, 1, at, at);
    }

    private static string Answer(MockResult result) => Encoding.UTF8.GetString(Assert.IsType<MockResult.Answered>(result).Response.Body);

    [Fact]
    public void The_literal_segment_index_answers_exactly_as_a_scan_of_every_endpoint()
    {
        // 600 endpoints of mixed literals, parameters, methods and priorities, and a few patterns: every request gets the
        // same answer (the winner, or the same closest miss and reason, or the same Allow) with and without the index.
        var random = new Random(29);
        string[] words = ["users", "orders", "items", "me", "a", "b"];
        string[] methods = ["GET", "POST", "ANY", "DELETE"];
        var at = DateTimeOffset.UnixEpoch;
        var endpoints = new List<EndpointInfo>();
        string Segment(int position) => random.Next(3) == 0 ? $"{{p{position}}}" : words[random.Next(words.Length)] + (random.Next(3) == 0 ? random.Next(50).ToString() : "");
        for (var i = 0; endpoints.Count < 600; i++)
        {
            var path = "/" + string.Join("/", Enumerable.Range(0, random.Next(0, 5)).Select(Segment));
            var spec = new EndpointSpec(methods[random.Next(methods.Length)], path, new ResponseDefinition(200, [], $"{i}", null, 0), null, random.Next(1, 4));
            endpoints.Add(new EndpointInfo($"e_{i}", spec, 1, at, at));
        }
        foreach (var (pattern, i) in new[] { "^/users/[0-9]+$", "^/a/.*", "^/(orders|items)/b$" }.Select((p, i) => (p, i)))
        {
            endpoints.Add(new EndpointInfo($"p_{i}", new EndpointSpec("GET", "", new ResponseDefinition(200, [], "0", null, 0), pattern, 2), 1, at, at));
        }
        var templatesOnly = endpoints.Where(e => e.Spec.PathPattern is null).ToList(); // one leaf reached: the lookup's shortcut
        static string Describe(MockResult result) => result switch
        {
            MockResult.Answered answered => "answered by " + answered.Response.EndpointId,
            MockResult.NoMatch miss => $"miss, closest {miss.Closest?.EndpointId}: {miss.Closest?.Reason}",
            MockResult.Options options => "options " + string.Join(",", options.Allow),
            _ => result.GetType().Name,
        };
        string[] requestMethods = ["GET", "HEAD", "POST", "DELETE", "PUT", "OPTIONS"];
        var answered = 0;
        var (indexed, scanned) = (new RouteTable(endpoints), new RouteTable(endpoints, indexAbove: int.MaxValue));
        var (indexedTemplates, scannedTemplates) = (new RouteTable(templatesOnly), new RouteTable(templatesOnly, indexAbove: int.MaxValue));
        for (var i = 0; i < 4000; i++)
        {
            var path = "/" + string.Join("/", Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(4) == 0 ? random.Next(100).ToString() : Segment(0).Replace("{p0}", "x")));
            var method = requestMethods[random.Next(requestMethods.Length)];
            var expected = Describe(scanned.Match(method, path));
            Assert.Equal(expected, Describe(indexed.Match(method, path)));
            Assert.Equal(Describe(scannedTemplates.Match(method, path)), Describe(indexedTemplates.Match(method, path)));
            answered += expected.StartsWith("answered", StringComparison.Ordinal) ? 1 : 0;
        }
        Assert.InRange(answered, 1000, 4000); // the comparison covered plenty of matches, not only misses
    }

    [Fact]
    public void Exact_literal_wins_over_template_whatever_the_order()
    {
        var table = new RouteTable([Endpoint("GET", "/users/{id}", "\"template\""), Endpoint("GET", "/users/me", "\"literal\"")]);
        Assert.Equal("\"literal\"", Answer(table.Match("GET", "/users/me")));
        Assert.Equal("\"template\"", Answer(table.Match("GET", "/users/42")));
    }

    [Fact]
    public void Longer_literal_prefix_wins()
    {
        var table = new RouteTable([Endpoint("GET", "/{a}/{b}/c", "\"short\""), Endpoint("GET", "/x/{b}/{c}", "\"prefix\"")]);
        Assert.Equal("\"prefix\"", Answer(table.Match("GET", "/x/y/c")));
    }

    [Fact]
    public void Any_matches_every_method_but_a_specific_method_wins_at_equal_specificity()
    {
        var table = new RouteTable([Endpoint("ANY", "/items", "\"any\""), Endpoint("POST", "/items", "\"post\"")]);
        Assert.Equal("\"post\"", Answer(table.Match("POST", "/items")));
        Assert.Equal("\"any\"", Answer(table.Match("DELETE", "/items")));
        Assert.Equal("\"any\"", Answer(table.Match("GET", "/items")));
    }

    [Fact]
    public void Any_with_a_literal_beats_a_method_with_a_template()
    {
        var table = new RouteTable([Endpoint("GET", "/users/{id}", "\"get\""), Endpoint("ANY", "/users/me", "\"any\"")]);
        Assert.Equal("\"any\"", Answer(table.Match("GET", "/users/me")));
    }

    [Fact]
    public void Head_is_served_by_get_when_no_head_endpoint_exists()
    {
        var table = new RouteTable([Endpoint("GET", "/a", "\"get\"")]);
        var result = table.Match("HEAD", "/a");
        Assert.IsType<MockResult.Answered>(result);
        Assert.Equal("\"get\"", Answer(result));
    }

    [Fact]
    public void Options_without_an_endpoint_lists_the_allowed_methods()
    {
        var table = new RouteTable([Endpoint("GET", "/a/{id}"), Endpoint("DELETE", "/a/{id}"), Endpoint("POST", "/b")]);
        var result = table.Match("OPTIONS", "/a/1");
        var options = Assert.IsType<MockResult.Options>(result);
        Assert.Equal(["DELETE", "GET", "HEAD", "OPTIONS"], options.Allow!);
    }

    [Fact]
    public void Options_endpoint_is_served_when_defined()
    {
        var table = new RouteTable([Endpoint("OPTIONS", "/a", "\"mine\"")]);
        Assert.Equal("\"mine\"", Answer(table.Match("OPTIONS", "/a")));
    }

    [Fact]
    public void A_miss_names_the_closest_endpoint_and_the_method_reason()
    {
        var table = new RouteTable([Endpoint("POST", "/users"), Endpoint("GET", "/orders/{id}/lines")]);
        var result = table.Match("GET", "/users");
        var missed = Assert.IsType<MockResult.NoMatch>(result);
        Assert.Equal("/users", missed.Closest!.Path);
        Assert.Contains("method GET does not match the endpoint's method POST", missed.Closest.Reason);
    }

    [Fact]
    public void A_miss_names_the_first_differing_segment()
    {
        var table = new RouteTable([Endpoint("GET", "/users/{id}/orders")]);
        var result = table.Match("GET", "/users/1/invoices");
        Assert.Equal("path segment 3 is 'invoices' but the endpoint expects 'orders'", Assert.IsType<MockResult.NoMatch>(result).Closest!.Reason);
    }

    [Fact]
    public void A_miss_on_segment_count_says_so()
    {
        var table = new RouteTable([Endpoint("GET", "/users/{id}")]);
        var result = table.Match("GET", "/users");
        Assert.Contains("1 segment(s) but the endpoint's template has 2", Assert.IsType<MockResult.NoMatch>(result).Closest!.Reason);
    }

    [Fact]
    public void Empty_table_misses_without_a_closest_endpoint()
    {
        var result = new RouteTable([]).Match("GET", "/x");
        var missed = Assert.IsType<MockResult.NoMatch>(result);
        Assert.Null(missed.Closest);
    }

    [Fact]
    public void Root_path_matches_root_template()
    {
        var table = new RouteTable([Endpoint("GET", "/", "\"root\"")]);
        Assert.Equal("\"root\"", Answer(table.Match("GET", "/")));
    }
}
