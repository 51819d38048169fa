using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using static OrleansMock.Tests.Http.HttpHelpers;

namespace OrleansMock.Tests.Prism;

/// <summary>
/// Prism's own test harness (github.com/stoplightio/prism, test-harness/specs, the OpenAPI 3 cases that run plain
/// <c>prism mock</c>; copied into Prism/Harness with their paths) run against Prism itself and against the same
/// document imported with <c>?validate=true</c>: each case's curl command is sent to both and status, media type and
/// body are compared (equal, or for bodies generated from a schema the same JSON shape). The expectations are what
/// Prism 5.14.2 answers here, not what its harness file says. Differences not fixed yet are marked in
/// Prism/Harness/marks.json (<c>known</c>: must still differ; <c>deliberate</c>: README says why).
/// </summary>
public sealed class PrismHarnessTests(PrismSides sides, ITestOutputHelper output) : IClassFixture<PrismSides>
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Prism", "Harness");

    private static readonly JsonObject Marks = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "marks.json")))!.AsObject();

    // Cases whose curl command sends a multipart form (-F) are left out: this harness does not build multipart bodies.
    public static TheoryData<string> Cases() => DifferentialVerdict.Names(
        Directory.GetFiles(Root, "*.txt", SearchOption.AllDirectories)
            .Where(f => !Sections(File.ReadAllText(f))["command"].Contains(" -F ", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task Answers_as_Prism_does_on_its_own_harness(string file)
    {
        Skip.If(sides.Missing is not null, sides.Missing);
        var sections = Sections(File.ReadAllText(Path.Combine(Root, file)));
        output.WriteLine(sections["test"]);
        var differences = await sides.CompareHarnessAsync(file, sections["spec"], Curl.Parse(sections["command"]));
        differences.ForEach(output.WriteLine);
        var mark = Marks[file.Replace('\\', '/')]?.AsObject();
        DifferentialVerdict.Check($"Prism {PrismSides.Version}", file, $"stoplightio/prism test-harness/specs/{file}", differences,
            mark?["known"]?.GetValue<string>(), mark?["deliberate"]?.GetValue<string>());
    }

    private static Dictionary<string, string> Sections(string text)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var body = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("====", StringComparison.Ordinal) && line.TrimEnd().EndsWith("====", StringComparison.Ordinal) && line.Trim().Length > 8)
            {
                if (name is not null)
                {
                    sections[name] = body.ToString().TrimEnd();
                }
                (name, body) = (line.Trim().Trim('='), new StringBuilder());
            }
            else
            {
                body.Append(line).Append('\n');
            }
        }
        if (name is not null)
        {
            sections[name] = body.ToString().TrimEnd();
        }
        return sections;
    }
}

/// <summary>A harness command line (<c>curl -i -X POST http://localhost:4010/path -H ... --data ...</c>) as a request.</summary>
public sealed record Curl(string Method, string PathAndQuery, List<(string Name, string Value)> Headers, string? Body)
{
    public static Curl Parse(string command)
    {
        var words = Words(command.Replace("\\\n", " "));
        string? method = null, url = null, body = null;
        var head = false;
        var headers = new List<(string, string)>();
        for (var i = 1; i < words.Count; i++)
        {
            var word = words[i];
            switch (word)
            {
                case "-X" or "--request":
                    method = words[++i];
                    break;
                case "-H" or "--header":
                    var header = words[++i];
                    var colon = header.IndexOf(':');
                    headers.Add((header[..colon].Trim(), header[(colon + 1)..].Trim()));
                    break;
                case "-d" or "--data" or "--data-raw" or "--data-binary":
                    body = words[++i];
                    break;
                case "--cookie" or "-b":
                    headers.Add(("Cookie", words[++i]));
                    break;
                case "-I" or "--head":
                    head = true;
                    break;
                default:
                    if (word.StartsWith("-sIX", StringComparison.Ordinal))
                    {
                        method = word[4..];
                    }
                    else if (!word.StartsWith('-'))
                    {
                        url = word;
                    }
                    break;
            }
        }
        var uri = new Uri(url ?? throw new InvalidOperationException($"no URL in: {command}"));
        method ??= head ? "HEAD" : body is not null ? "POST" : "GET";
        if (body is not null && !headers.Any(h => h.Item1.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(("Content-Type", "application/x-www-form-urlencoded")); // what curl sends with --data
        }
        return new Curl(method, uri.PathAndQuery, headers, body);
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var any = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } open)
            {
                if (c == open)
                {
                    quote = null;
                }
                else if (c == '\\' && open == '"' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$')
                {
                    word.Append(text[++i]);
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                (quote, any) = (c, true);
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                // Unquoted, a backslash escapes the next character as the shell reads it (curl ...recipes\?page\=1).
                word.Append(text[++i]);
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any)
                {
                    words.Add(word.ToString());
                    (word, any) = (new StringBuilder(), false);
                }
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }
        if (any)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    public HttpRequestMessage ToRequest(Uri baseUri)
    {
        // Joined as text: resolved as a relative URI, a first segment with a colon (/test:yes) would read as a scheme.
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(baseUri.AbsoluteUri.TrimEnd('/') + PathAndQuery));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
        }
        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return message;
    }
}
