using System.Xml;
using System.Xml.XPath;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// WireMock's <c>xPath</c> and <c>soapXPath</c> helpers: an XPath 1.0 expression over the request's XML (a SOAP
/// envelope's body for <c>soapXPath</c>); text for a text, attribute or value result, the XML of an element. No DTDs or
/// external entities are read, and the document's size is a step per KB of the render's budget.
/// </summary>
internal static class TemplateXml
{
    public static string Select(string xml, string expression, bool soap)
    {
        RenderBudget.Step(1 + xml.Length / 1024);
        if (Matching.XPathGuard.Check(expression) is { } tooCostly)
        {
            throw new TemplateException($"{(soap ? "soapXPath" : "xPath")}: '{expression}' {tooCostly}");
        }
        XPathNavigator navigator;
        try
        {
            var document = Safety.SafeXml.Load(xml, ignoreWhitespace: false);
            if (!Matching.XPathGuard.Fits(document))
            {
                throw new TemplateException($"{(soap ? "soapXPath" : "xPath")}: the input has more than {Matching.XPathGuard.MaxNodes} XML nodes");
            }
            navigator = document.CreateNavigator();
        }
        catch (XmlException exception)
        {
            throw new TemplateException($"{(soap ? "soapXPath" : "xPath")}: the input is not XML ({exception.Message})");
        }
        if (soap)
        {
            // The expression is relative to the envelope's body, whatever prefix or namespace the envelope uses.
            expression = "/*[local-name()='Envelope']/*[local-name()='Body']" + (expression.StartsWith('/') ? expression : "/" + expression);
        }
        object result;
        try
        {
            result = navigator.Evaluate(expression);
        }
        catch (XPathException exception)
        {
            throw new TemplateException($"'{expression}' is not an XPath expression: {exception.Message}");
        }
        switch (result)
        {
            case XPathNodeIterator nodes:
                if (!nodes.MoveNext())
                {
                    return "";
                }
                var node = nodes.Current!;
                return node.NodeType == XPathNodeType.Element ? node.OuterXml : node.Value;
            case double number:
                return TemplateText.Of(number);
            case bool flag:
                return flag ? "true" : "false";
            default:
                return result?.ToString() ?? "";
        }
    }
}
