namespace OrleansMock.Grains.Routing;

/// <summary>
/// The endpoints of one segment count, ranked (templates and the project's patterns), with an index of their literal
/// segments: a trie whose edges are a segment's literal text or "any value" (a parameter). A request's segments follow
/// every edge they can; the endpoints at the leaves reached, plus the patterns, are the candidates, kept in rank order.
/// The index is built only past a handful of endpoints: below that, scanning the ranked list is cheaper.
/// </summary>
internal sealed class RouteIndex
{
    private readonly CompiledEndpoint[] _ranked;
    private readonly Node? _root;
    private readonly int[] _patternRanks = [];
    private readonly CompiledEndpoint[] _patterns = [];

    public RouteIndex(CompiledEndpoint[] ranked, int indexAbove)
    {
        _ranked = ranked;
        if (ranked.Length <= indexAbove)
        {
            return;
        }
        _root = new Node();
        var patterns = new List<int>();
        for (var rank = 0; rank < ranked.Length; rank++)
        {
            if (ranked[rank].Template is not { } template)
            {
                patterns.Add(rank);
                continue;
            }
            var node = _root;
            foreach (var literal in template.Literals)
            {
                node = literal is null
                    ? node.Parameter ??= new Node()
                    : (node.Literals ??= new(StringComparer.Ordinal)).TryGetValue(literal, out var next) ? next : node.Literals[literal] = new Node();
            }
            (node.Ranks ??= []).Add(rank);
        }
        _patternRanks = [.. patterns];
        _patterns = [.. patterns.Select(rank => ranked[rank])];
        Complete(_root, ranked);
    }

    // A leaf's endpoints, ranked, kept as an array: the common lookup reaches one leaf and allocates nothing.
    private static void Complete(Node node, CompiledEndpoint[] ranked)
    {
        if (node.Ranks is { } ranks)
        {
            node.Entries = [.. ranks.Select(rank => ranked[rank])];
        }
        foreach (var child in node.Literals?.Values ?? Enumerable.Empty<Node>())
        {
            Complete(child, ranked);
        }
        if (node.Parameter is { } parameter)
        {
            Complete(parameter, ranked);
        }
    }

    /// <summary>The endpoints whose template can match <paramref name="segments"/>, and the patterns, in rank order.</summary>
    public CompiledEndpoint[] Candidates(string[] segments)
    {
        if (_root is null)
        {
            return _ranked;
        }
        Node? single = null;
        List<int>? ranks = null;
        Collect(_root, segments, 0, ref single, ref ranks);
        if (ranks is null)
        {
            if (_patternRanks.Length == 0)
            {
                return single?.Entries ?? [];
            }
            if (single is null)
            {
                return _patterns;
            }
            ranks = [.. single.Ranks!];
        }
        ranks.AddRange(_patternRanks);
        ranks.Sort();
        var candidates = new CompiledEndpoint[ranks.Count];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = _ranked[ranks[i]];
        }
        return candidates;
    }

    // Each trie node is reached by one path only, so a lookup visits at most every node once.
    // Reaching one leaf keeps it in single; a second leaf starts the list of ranks to merge.
    private static void Collect(Node node, string[] segments, int depth, ref Node? single, ref List<int>? ranks)
    {
        if (depth == segments.Length)
        {
            if (node.Ranks is null)
            {
                return;
            }
            if (single is null && ranks is null)
            {
                single = node;
                return;
            }
            ranks ??= [.. single!.Ranks!];
            ranks.AddRange(node.Ranks);
            return;
        }
        var segment = segments[depth];
        if (node.Literals is { } literals && literals.TryGetValue(segment, out var literal))
        {
            Collect(literal, segments, depth + 1, ref single, ref ranks);
        }
        if (node.Parameter is { } parameter && segment.Length > 0)
        {
            Collect(parameter, segments, depth + 1, ref single, ref ranks); // a parameter matches any non-empty segment
        }
    }

    private sealed class Node
    {
        public Dictionary<string, Node>? Literals;
        public Node? Parameter;
        public List<int>? Ranks;
        public CompiledEndpoint[]? Entries;
    }
}
