using System.Text.Json.Nodes;
using OrleansMock.Grains.Resources;

namespace OrleansMock.Tests.Unit;

public sealed class ResourceQueryTests
{
    private static readonly JsonObject[] Posts =
    [
        (JsonObject)JsonNode.Parse("""{"id":1,"title":"alpha","views":10,"author":{"name":"ada"}}""")!,
        (JsonObject)JsonNode.Parse("""{"id":2,"title":"Beta","views":3,"author":{"name":"bob"}}""")!,
        (JsonObject)JsonNode.Parse("""{"id":3,"title":"gamma","views":25,"author":{"name":"ada"}}""")!,
        (JsonObject)JsonNode.Parse("""{"id":4,"title":"delta"}""")!,
    ];

    private static int[] Ids(params (string, string)[] query)
    {
        var (parsed, error) = ResourceQuery.Parse(query.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));
        Assert.Null(error);
        return parsed!.Apply(Posts).Items.Select(p => p["id"]!.GetValue<int>()).ToArray();
    }

    [Fact] public void Equality_on_a_deep_path() => Assert.Equal([1, 3], Ids(("author.name", "ada")));
    [Fact] public void Repeated_keys_are_or() => Assert.Equal([1, 2], Ids(("id", "1"), ("id", "2")));
    [Fact] public void Gte_and_lte_compare_numbers_as_numbers() => Assert.Equal([1, 3], Ids(("views_gte", "9"), ("views_lte", "25")));
    [Fact] public void Ne_excludes() => Assert.Equal([1, 3, 4], Ids(("author.name_ne", "bob")));
    [Fact] public void Like_is_a_case_insensitive_regex() => Assert.Equal([2], Ids(("title_like", "^b")));
    [Fact] public void Q_searches_every_field_case_insensitively() => Assert.Equal([1, 3], Ids(("q", "ADA")));
    [Fact] public void Sort_and_order_with_missing_values_last() => Assert.Equal([3, 1, 2, 4], Ids(("_sort", "views"), ("_order", "desc")));
    [Fact] public void Sort_by_several_fields() => Assert.Equal([1, 3, 2, 4], Ids(("_sort", "author.name,views"), ("_order", "asc,asc")));
    [Fact] public void Start_end_slice() => Assert.Equal([2, 3], Ids(("_start", "1"), ("_end", "3")));
    [Fact] public void Start_limit_slice() => Assert.Equal([2], Ids(("_start", "1"), ("_limit", "1")));

    [Fact]
    public void Page_and_limit_paginate_with_a_total_and_links()
    {
        var (query, _) = ResourceQuery.Parse([new("_page", "2"), new("_limit", "3")]);
        var page = query!.Apply(Posts);
        Assert.Equal(4, page.Total);
        Assert.Equal([4], page.Items.Select(p => p["id"]!.GetValue<int>()));
        var links = ResourceQuery.Links(page, n => $"u?_page={n}");
        Assert.Equal("<u?_page=1>; rel=\"first\", <u?_page=1>; rel=\"prev\", <u?_page=2>; rel=\"last\"", links);
    }

    [Fact]
    public void Page_without_limit_uses_ten()
    {
        var (query, _) = ResourceQuery.Parse([new("_page", "1")]);
        Assert.Equal(10, query!.Apply(Posts).PageSize);
    }

    [Theory]
    [InlineData("_page", "-1", "_page must be an integer of at least 1")]
    [InlineData("_limit", "abc", "_limit must be an integer")]
    [InlineData("_start", "x", "_start must be an integer")]
    [InlineData("title_like", "(", "not a valid regular expression")]
    [InlineData("_order", "sideways", "_order must be asc or desc")]
    public void Bad_parameters_are_errors_naming_the_parameter(string key, string value, string expected)
    {
        var parameters = new List<KeyValuePair<string, string>> { new(key, value) };
        if (key == "_order")
        {
            parameters.Add(new("_sort", "views"));
        }
        var (query, error) = ResourceQuery.Parse(parameters);
        Assert.Null(query);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("posts", "post")]
    [InlineData("categories", "category")]
    [InlineData("news", "new")]
    public void Singular_follows_the_json_server_convention(string plural, string singular) =>
        Assert.Equal(singular, MockResourceGrain.Singular(plural));
}
