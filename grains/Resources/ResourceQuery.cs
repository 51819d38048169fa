using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Resources;

/// <summary>
/// json-server 0.17's query language over a list of records: <c>field=value</c> (deep paths, repeated keys OR-ed),
/// <c>field_gte</c>, <c>field_lte</c>, <c>field_ne</c>, <c>field_like</c> (case-insensitive regular expression),
/// <c>q</c> (full text), <c>_sort</c>/<c>_order</c>, <c>_page</c>/<c>_limit</c>, <c>_start</c>/<c>_end</c>/<c>_limit</c>.
/// <c>_embed</c> and <c>_expand</c> are parsed here and applied by the resource grain (they read other resources).
/// </summary>
public sealed class ResourceQuery
{
    private const int DefaultPageSize = 10;

    /// <summary>Values one query may filter on in all (repeated keys included): each is work per record.</summary>
    public const int MaxFilterValues = 32;

    /// <summary><c>_embed</c> and <c>_expand</c> names one query may use in all: each reads another resource.</summary>
    public const int MaxRelations = 8;

    /// <summary>Matching time one query may use over all records and all <c>_like</c> patterns.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    // Required: the parent of a nested route (/posts/1/comments), applied even when no record has the field.
    private readonly List<(string Path, string Operator, string[] Values, bool Required)> _filters = [];
    private readonly List<Regex> _likes = [];
    private string? _q;
    private (string Path, bool Descending)[] _sort = [];
    private int? _page;
    private int? _limit;
    private int? _start;
    private int? _end;

    public string[] Embed { get; private set; } = [];
    public string[] Expand { get; private set; } = [];

    /// <summary>
    /// Parses query parameters; an error names the parameter and what it must be. <paramref name="parent"/> is the
    /// parent of a nested route (<c>postId=1</c> for <c>/posts/1/comments</c>).
    /// </summary>
    public static (ResourceQuery? Query, string? Error) Parse(IEnumerable<KeyValuePair<string, string>> parameters, KeyValuePair<string, string>? parent = null)
    {
        var query = new ResourceQuery();
        if (parent is { } required)
        {
            query._filters.Add((required.Key, "=", [required.Value], true));
        }
        var grouped = parameters.GroupBy(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var order = Array.Empty<string>();
        foreach (var group in grouped)
        {
            var key = group.Key;
            var values = group.ToArray();
            string? error = null;
            switch (key)
            {
                case "_page": error = Integer(key, values[^1], 1, out query._page); break;
                case "_limit": error = Integer(key, values[^1], 0, out query._limit); break;
                case "_start": error = Integer(key, values[^1], 0, out query._start); break;
                case "_end": error = Integer(key, values[^1], 0, out query._end); break;
                case "_sort": query._sort = values[^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => (p, false)).ToArray(); break;
                case "_order": order = values[^1].ToLowerInvariant().Split(',', StringSplitOptions.TrimEntries); break; // json-server lower-cases it
                case "_embed": query.Embed = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray(); break;
                case "_expand": query.Expand = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray(); break;
                case "q": query._q = values[0]; break; // the first, as json-server takes it
                case "callback": break; // JSONP: the front end wraps the answer
                default:
                    if (key.Length == 0 || key.StartsWith('_'))
                    {
                        break; // json-server ignores unknown reserved parameters
                    }
                    error = query.AddFilter(key, values);
                    break;
            }
            if (error is not null)
            {
                return (null, error);
            }
        }
        if (query.Embed.Length + query.Expand.Length > MaxRelations)
        {
            return (null, $"_embed and _expand name {query.Embed.Length + query.Expand.Length} resources; one request may name at most {MaxRelations}");
        }
        if (query._filters.Sum(f => f.Values.Length) > MaxFilterValues)
        {
            return (null, $"the query has {query._filters.Sum(f => f.Values.Length)} filter values; one request may use at most {MaxFilterValues}");
        }
        for (var i = 0; i < query._sort.Length; i++)
        {
            var direction = i < order.Length ? order[i] : order.Length > 0 ? order[^1] : "asc";
            if (direction is not ("asc" or "desc"))
            {
                return (null, $"_order must be asc or desc (comma-separated per _sort field), not '{direction}'");
            }
            query._sort[i].Descending = direction == "desc";
        }
        return (query, null);
    }

    public sealed record Page(IReadOnlyList<JsonObject> Items, int Total, bool Paginated, int PageNumber, int PageSize, bool Sliced)
    {
        /// <summary>The last page number (at least 1) at this page size.</summary>
        public int LastPage => Math.Max(1, (int)Math.Ceiling(Total / (double)Math.Max(1, PageSize)));
    }

    /// <summary>Filters, sorts and slices the records; <see cref="WorkBudgetExceededException"/> when matching costs more than <paramref name="budget"/>.</summary>
    public Page Apply(IEnumerable<JsonObject> records, WorkBudget budget)
    {
        if (_filters.Any(f => f.Operator == "=" && !f.Required))
        {
            // json-server 0.17 ignores a plain filter on a field no record has (operators and a nested route's parent stay).
            var all = records as IReadOnlyCollection<JsonObject> ?? records.ToList();
            _filters.RemoveAll(f => f.Operator == "=" && !f.Required && !all.Any(record => Has(record, f.Path)));
            records = all;
        }
        var matching = records.Where(record => Matches(record, budget)).ToList();
        if (_sort.Length > 0)
        {
            matching.Sort(CompareBySort);
        }
        var total = matching.Count;
        if (_page is { } page)
        {
            var size = _limit ?? DefaultPageSize;
            return new Page(matching.Skip((page - 1) * size).Take(size).ToList(), total, true, page, size, false);
        }
        if (_start is not null || _end is not null || _limit is not null)
        {
            var start = Math.Min(_start ?? 0, total);
            var end = _end ?? (_limit is { } limit ? start + limit : total);
            end = Math.Clamp(end, start, total);
            return new Page(matching.GetRange(start, end - start), total, false, 0, 0, true);
        }
        return new Page(matching, total, false, 0, 0, false);
    }

    /// <summary>The value at a dotted path (<c>author.name</c>), or null.</summary>
    public static JsonNode? At(JsonObject record, string path)
    {
        JsonNode? node = record;
        foreach (var part in path.Split('.'))
        {
            node = node switch
            {
                JsonObject obj => obj[part],
                JsonArray array when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    /// <summary>Whether the record has the dotted path (its value may be null), as lodash's <c>_.has</c> says.</summary>
    public static bool Has(JsonObject record, string path)
    {
        var dot = path.LastIndexOf('.');
        var owner = dot < 0 ? record : At(record, path[..dot]);
        var last = dot < 0 ? path : path[(dot + 1)..];
        return owner switch
        {
            JsonObject obj => obj.ContainsKey(last),
            JsonArray array => int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count,
            _ => false,
        };
    }

    /// <summary>A value as json-server compares it: strings as they are, other scalars as their JSON text.</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    private string? AddFilter(string key, string[] values)
    {
        foreach (var op in new[] { "_gte", "_lte", "_ne", "_like" })
        {
            if (key.EndsWith(op, StringComparison.Ordinal) && key.Length > op.Length)
            {
                var path = key[..^op.Length];
                if (op == "_like")
                {
                    foreach (var value in values)
                    {
                        try
                        {
                            _likes.Add(SafeRegex.Create(value, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
                        }
                        catch (ArgumentException exception)
                        {
                            return $"{key}={value} is not a valid regular expression: {exception.Message}";
                        }
                    }
                }
                _filters.Add((path, op, values, false));
                return null;
            }
        }
        _filters.Add((key, "=", values, false));
        return null;
    }

    private bool Matches(JsonObject record, WorkBudget budget)
    {
        var like = 0;
        foreach (var (path, op, values, _) in _filters)
        {
            var actual = Text(At(record, path));
            var ok = op switch
            {
                "=" => values.Any(v => actual == v),
                "_ne" => actual is not null && values.All(v => actual != v), // json-server: a record without the field matches no operator
                "_gte" => actual is not null && values.All(v => Compare(actual, v) >= 0),
                "_lte" => actual is not null && values.All(v => Compare(actual, v) <= 0),
                "_like" => actual is not null && values.Select((_, i) => _likes[like + i]).Any(r => SafeRegex.IsMatch(r, actual, budget)),
                _ => true,
            };
            if (op == "_like")
            {
                like += values.Length;
            }
            if (!ok)
            {
                return false;
            }
        }
        return _q is null || ContainsText(record, _q);
    }

    private static bool ContainsText(JsonNode? node, string q) => node switch
    {
        JsonObject obj => obj.Any(p => ContainsText(p.Value, q)),
        JsonArray array => array.Any(item => ContainsText(item, q)),
        JsonValue => Text(node) is { } text && text.Contains(q, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>Numbers compare as numbers, everything else as ordinal text.</summary>
    private static int Compare(string a, string b) =>
        double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);

    private int CompareBySort(JsonObject a, JsonObject b)
    {
        foreach (var (path, descending) in _sort)
        {
            var x = Text(At(a, path));
            var y = Text(At(b, path));
            // A record without the field sorts after every value, and the direction reverses that too: last when
            // ascending, first when descending (json-server 0.17.4 sorts with lodash's orderBy).
            var order = (x is null).CompareTo(y is null) is var byPresence and not 0 ? byPresence : x is null ? 0 : Compare(x, y!);
            if (order != 0)
            {
                return descending ? -order : order;
            }
        }
        return 0;
    }

    private static string? Integer(string key, string value, int minimum, out int? parsed)
    {
        parsed = null;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < minimum)
        {
            return $"{key} must be an integer of at least {minimum}, not '{value}'";
        }
        parsed = number;
        return null;
    }
}
