using System.Xml;
using System.Xml.Linq;

namespace OrleansMock.Grains.Safety;

/// <summary>
/// XML a tenant or a caller sends (request bodies under XML matchers and the <c>xPath</c> helper), read without DTDs,
/// external entities or entity expansion, and without comments. An invalid document throws <see cref="XmlException"/>.
/// </summary>
public static class SafeXml
{
    private static readonly XmlReaderSettings Keeping = Settings(ignoreWhitespace: false);
    private static readonly XmlReaderSettings Trimming = Settings(ignoreWhitespace: true);

    /// <param name="ignoreWhitespace">Drop whitespace between elements (comparing documents), or keep it (printing them).</param>
    public static XDocument Load(string text, bool ignoreWhitespace)
    {
        using var reader = XmlReader.Create(new StringReader(text), ignoreWhitespace ? Trimming : Keeping);
        return XDocument.Load(reader);
    }

    private static XmlReaderSettings Settings(bool ignoreWhitespace) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersFromEntities = 0, IgnoreComments = true,
        IgnoreWhitespace = ignoreWhitespace,
    };
}
