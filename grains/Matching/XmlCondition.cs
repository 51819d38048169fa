using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// WireMock's XML body matchers: <c>equalToXml</c> (the same elements, attributes and text, whitespace between
/// elements and namespace prefixes aside; a text or attribute of <c>${xmlunit.ignore}</c> matches anything) and
/// <c>matchesXPath</c> (an XPath 1.0 expression that selects something or is true, with <c>xPathNamespaces</c>, and
/// optionally a condition on what it selects). No DTDs or external entities are read.
/// </summary>
internal abstract class XmlCondition : BodyCondition
{
    private const string Ignore = "${xmlunit.ignore}";

    public static bool TryCompileXml(BodyMatcher matcher, string field, out BodyCondition condition, out string error)
    {
        condition = null!;
        error = "";
        if (matcher.EqualToXml is { } xml)
        {
            if (Parse(xml) is not { } expected)
            {
                error = $"{field}.equalToXml is not XML";
                return false;
            }
            condition = new Equal(expected);
            return true;
        }
        var namespaces = new XmlNamespaceManager(new NameTable());
        foreach (var (prefix, uri) in matcher.XPathNamespaces ?? [])
        {
            namespaces.AddNamespace(prefix, uri);
        }
        if (XPathGuard.Check(matcher.MatchesXPath!) is { } tooCostly)
        {
            error = $"{field}.matchesXPath '{matcher.MatchesXPath}' {tooCostly}";
            return false;
        }
        XPathExpression expression;
        try
        {
            expression = XPathExpression.Compile(matcher.MatchesXPath!, namespaces);
        }
        catch (XPathException exception)
        {
            error = $"{field}.matchesXPath '{matcher.MatchesXPath}' is not an XPath expression: {exception.Message}";
            return false;
        }
        ValueCondition? value = null;
        if (matcher.XPathValue is not null && !ValueCondition.TryCompile(matcher.XPathValue, $"{field}.matchesXPath", out value, out error))
        {
            return false;
        }
        condition = new XPath(matcher.MatchesXPath!, expression, value);
        return true;
    }

    internal static XDocument? Parse(string text)
    {
        try
        {
            return SafeXml.Load(text, ignoreWhitespace: true);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private sealed class Equal(XDocument expected) : XmlCondition
    {
        public override string? Check(RequestView request, WorkBudget budget)
        {
            budget.ThrowIfSpent();
            if (Parse(request.Body) is not { Root: { } actual })
            {
                return "body: expected equalToXml, but it is not XML";
            }
            return Difference(expected.Root!, actual) is { } difference ? $"body: not equalToXml: {difference}" : null;
        }

        private static string? Difference(XElement expected, XElement actual)
        {
            if (expected.Name != actual.Name)
            {
                return $"<{actual.Name.LocalName}> where <{expected.Name.LocalName}> was expected";
            }
            var expectedAttributes = expected.Attributes().Where(a => !a.IsNamespaceDeclaration).ToList();
            var actualAttributes = actual.Attributes().Where(a => !a.IsNamespaceDeclaration).ToDictionary(a => a.Name, a => a.Value);
            if (expectedAttributes.Count != actualAttributes.Count)
            {
                return $"<{expected.Name.LocalName}> has {actualAttributes.Count} attributes, expected {expectedAttributes.Count}";
            }
            foreach (var attribute in expectedAttributes)
            {
                if (!actualAttributes.TryGetValue(attribute.Name, out var value) || (attribute.Value != Ignore && attribute.Value != value))
                {
                    return $"<{expected.Name.LocalName}> attribute {attribute.Name.LocalName} differs";
                }
            }
            var (expectedChildren, actualChildren) = (expected.Elements().ToList(), actual.Elements().ToList());
            if (expectedChildren.Count == 0 && actualChildren.Count == 0)
            {
                return expected.Value.Trim() == Ignore || expected.Value.Trim() == actual.Value.Trim()
                    ? null : $"<{expected.Name.LocalName}> is '{ValueCondition.Shorten(actual.Value.Trim())}', expected '{ValueCondition.Shorten(expected.Value.Trim())}'";
            }
            if (expectedChildren.Count != actualChildren.Count)
            {
                return $"<{expected.Name.LocalName}> has {actualChildren.Count} child elements, expected {expectedChildren.Count}";
            }
            return expectedChildren.Select((child, i) => Difference(child, actualChildren[i])).FirstOrDefault(d => d is not null);
        }
    }

    private sealed class XPath(string text, XPathExpression expression, ValueCondition? value) : XmlCondition
    {
        public override string? Check(RequestView request, WorkBudget budget)
        {
            budget.ThrowIfSpent();
            if (Parse(request.Body) is not { } document)
            {
                return $"body: expected XPath {text} to match, but it is not XML";
            }
            if (!XPathGuard.Fits(document))
            {
                return $"body: has more than {XPathGuard.MaxNodes} XML nodes, too many to match an XPath over";
            }
            object result;
            try
            {
                result = document.CreateNavigator().Evaluate(expression);
            }
            catch (XPathException exception)
            {
                return $"body: XPath {text} could not be evaluated ({exception.Message})";
            }
            var found = result switch
            {
                XPathNodeIterator nodes => nodes.Cast<XPathNavigator>().Select(n => n.Value).ToList(),
                bool flag => flag ? ["true"] : [],
                var other => [Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? ""],
            };
            if (found.Count == 0)
            {
                return $"body: XPath {text} selects nothing";
            }
            return value?.Check(found, budget) is { } failure ? $"body XPath {text}: {failure}" : null;
        }
    }
}
