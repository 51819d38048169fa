namespace OrleansMock.Grains.Matching;

/// <summary>
/// What an XPath a tenant writes (a <c>matchesXPath</c> matcher, the <c>xPath</c> template helper) may cost, since .NET's
/// XPath evaluation cannot be stopped midway: at most <see cref="MaxDescendantSteps"/> <c>//</c> steps and predicates
/// nested <see cref="MaxPredicateDepth"/> deep (so an expression is at most quadratic in the document), over a document
/// of at most <see cref="MaxNodes"/> nodes.
/// </summary>
public static class XPathGuard
{
    public const int MaxNodes = 10_000;
    public const int MaxDescendantSteps = 2;
    public const int MaxPredicateDepth = 2;
    public const int MaxLength = 1000;

    /// <summary>Why the expression could run without bound, or null.</summary>
    public static string? Check(string expression)
    {
        if (expression.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }
        int descendants = 0, depth = 0, deepest = 0;
        char? quote = null;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (quote is not null)
            {
                quote = c == quote ? null : quote;
                continue;
            }
            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '[':
                    deepest = Math.Max(deepest, ++depth);
                    break;
                case ']':
                    depth = Math.Max(0, depth - 1);
                    break;
                case '/' when i + 1 < expression.Length && expression[i + 1] == '/':
                    descendants++;
                    i++;
                    break;
            }
        }
        if (descendants > MaxDescendantSteps)
        {
            return $"has {descendants} '//' steps; at most {MaxDescendantSteps} keep its cost bounded (name the path instead)";
        }
        return deepest > MaxPredicateDepth ? $"nests predicates {deepest} deep; at most {MaxPredicateDepth}" : null;
    }

    /// <summary>Whether a document is small enough to evaluate XPath over.</summary>
    public static bool Fits(System.Xml.Linq.XDocument document) => document.DescendantNodes().Take(MaxNodes + 1).Count() <= MaxNodes;
}
