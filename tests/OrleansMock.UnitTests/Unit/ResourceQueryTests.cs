using OrleansMock.Api.MockTraffic;
using System.Text.Json.Nodes;
using OrleansMock.Grains.Resources;
using OrleansMock.Grains.Safety;

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

    private static WorkBudget Budget() => new(ResourceQuery.Budget);

    private static int[] Ids(params (string, string)[] query)
    {
        var (parsed, error) = ResourceQuery.Parse(query.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));
        Assert.Null(error);
        return parsed!.Apply(Posts, Budget()).Items.Select(p => p["id"]!.GetValue<int>()).ToArray();
    }

    [Fact] public void Equality_on_a_deep_path() => Assert.Equal([1, 3], Ids(("author.name", "ada")));
    [Fact] public void Repeated_keys_are_or() => Assert.Equal([1, 2], Ids(("id", "1"), ("id", "2")));
    [Fact] public void Gte_and_lte_compare_numbers_as_numbers() => Assert.Equal([1, 3], Ids(("views_gte", "9"), ("views_lte", "25")));
    // json-server 0.17.4 (JsonServerDifferentialTests runs it on the same records): a record without the field matches no
    // operator, _ne included; lodash's orderBy sorts a missing value after every value, reversed when descending.
    [Fact] public void Ne_excludes_and_a_record_without_the_field_matches_no_operator() => Assert.Equal([1, 3], Ids(("author.name_ne", "bob")));
    [Fact] public void Like_is_a_case_insensitive_regex() => Assert.Equal([2], Ids(("title_like", "^b")));
    [Fact] public void Q_searches_every_field_case_insensitively() => Assert.Equal([1, 3], Ids(("q", "ADA")));
    [Fact] public void Missing_values_sort_first_descending() => Assert.Equal([4, 3, 1, 2], Ids(("_sort", "views"), ("_order", "desc")));
    [Fact] public void Missing_values_sort_last_ascending() => Assert.Equal([2, 1, 3, 4], Ids(("_sort", "views")));
    [Fact] public void Sort_by_several_fields() => Assert.Equal([1, 3, 2, 4], Ids(("_sort", "author.name,views"), ("_order", "asc,asc")));
    [Fact] public void Start_end_slice() => Assert.Equal([2, 3], Ids(("_start", "1"), ("_end", "3")));
    [Fact] public void Start_limit_slice() => Assert.Equal([2], Ids(("_start", "1"), ("_limit", "1")));

    // As json-server 0.17.4 answers (JsonServerDifferentialTests runs it on these cases): unknown plain filters, JSONP parameters and the
    // cache-buster are ignored, the first q wins, _order is read in any case.
    [Fact] public void A_filter_on_a_field_no_record_has_is_ignored() => Assert.Equal([1, 2, 3, 4], Ids(("nosuch", "1")));
    [Fact] public void A_filter_on_a_field_some_records_have_still_filters() => Assert.Equal([1], Ids(("author.name", "ada"), ("id", "1"), ("nosuch", "x")));
    [Fact] public void Callback_and_underscore_are_not_filters() => Assert.Equal([1, 2, 3, 4], Ids(("callback", "fn"), ("_", "12345")));
    [Fact] public void The_first_q_wins() => Assert.Equal([2], Ids(("q", "beta"), ("q", "ada")));
    [Fact] public void Order_is_case_insensitive() => Assert.Equal([4, 3, 1, 2], Ids(("_sort", "views"), ("_order", "DESC")));

    [Fact]
    public void A_nested_routes_parent_filters_even_when_no_record_has_the_field()
    {
        var (query, _) = ResourceQuery.Parse([], new KeyValuePair<string, string>("postId", "1"));
        Assert.Empty(query!.Apply(Posts, Budget()).Items);
    }

    [Fact]
    public void Page_and_limit_paginate_with_a_total_and_links()
    {
        var (query, _) = ResourceQuery.Parse([new("_page", "2"), new("_limit", "3")]);
        var page = query!.Apply(Posts, Budget());
        Assert.Equal(4, page.Total);
        Assert.Equal([4], page.Items.Select(p => p["id"]!.GetValue<int>()));
        Assert.Equal(2, page.LastPage);
        var links = OrleansMock.Api.MockTraffic.ResourceLinks.Build("u", [new("_page", "2")], page.PageNumber, page.LastPage);
        Assert.Equal("<u?_page=1>; rel=\"first\", <u?_page=1>; rel=\"prev\", <u?_page=2>; rel=\"last\"", links);
    }

    [Fact]
    public void Page_without_limit_uses_ten()
    {
        var (query, _) = ResourceQuery.Parse([new("_page", "1")]);
        Assert.Equal(10, query!.Apply(Posts, Budget()).PageSize);
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
        Assert.Equal(singular, ResourceNames.Singular(plural));

    [Fact]
    public void A_catastrophic_like_pattern_runs_in_linear_time_over_long_values()
    {
        // (a+)+$ against "aaaa…!" doubles per character on a backtracking engine; here it is one linear pass each.
        var records = Enumerable.Range(1, 50).Select(i => new JsonObject { ["id"] = i, ["s"] = new string('a', 5000) + "!" }).ToArray();
        var (query, error) = ResourceQuery.Parse([new("s_like", "(a+)+$"), new("s_like", "(a+)+$")]);
        Assert.Null(error);
        var budget = Budget();
        Assert.Empty(query!.Apply(records, budget).Items);
        Assert.True(budget.Spent < ResourceQuery.Budget, $"spent {budget.Spent}");
    }

    [Fact]
    public void A_backtracking_only_like_pattern_stops_at_the_query_budget()
    {
        // A lookahead needs the backtracking engine: each match is time-limited and all of them share one budget.
        var records = Enumerable.Range(1, 50).Select(i => new JsonObject { ["id"] = i, ["s"] = new string('a', 40) + "!" }).ToArray();
        var (query, _) = ResourceQuery.Parse([new("s_like", "^(?=a)(a+)+$")]);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Throws<WorkBudgetExceededException>(() => query!.Apply(records, Budget()));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    [Fact]
    public void Too_many_relations_or_filter_values_are_refused_before_any_work()
    {
        var (_, embed) = ResourceQuery.Parse([new("_embed", string.Join(",", Enumerable.Range(0, 600).Select(i => $"r{i}")))]);
        Assert.Contains("at most 8", embed);
        var (_, filters) = ResourceQuery.Parse(Enumerable.Range(0, 40).Select(i => new KeyValuePair<string, string>("s_like", "a")));
        Assert.Contains("at most 32", filters);
    }

    [Fact]
    public void Matching_stops_when_the_client_goes_away()
    {
        // The front end passes the request's abort token down to the resource grain's budget.
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        var records = Enumerable.Range(1, 1000).Select(i => new JsonObject { ["id"] = i, ["s"] = "abc" }).ToArray();
        var (query, _) = ResourceQuery.Parse([new("s_like", "b")]);
        Assert.Throws<OperationCanceledException>(() => query!.Apply(records, new WorkBudget(ResourceQuery.Budget, aborted.Token)));
    }
}
