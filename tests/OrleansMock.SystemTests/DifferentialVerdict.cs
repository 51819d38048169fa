namespace OrleansMock.Tests;

/// <summary>
/// The one rule of every differential suite (WireMock, json-server): a case agrees with the reference, or is marked. A
/// <c>known</c> difference (not fixed yet) must still differ, so the score cannot go stale; a <c>deliberate</c> one must
/// still differ and README.md must carry the line it quotes, saying why.
/// </summary>
public static class DifferentialVerdict
{
    public static void Check(string reference, string name, string source, IReadOnlyCollection<string> differences, string? known, string? deliberate)
    {
        if (deliberate is not null)
        {
            Assert.True(File.ReadAllText(Path.Combine(Http.ApiProcess.RepositoryRoot(), "README.md")).Contains(deliberate, StringComparison.Ordinal),
                $"{name} is marked a deliberate difference, but README.md does not say so: \"{deliberate}\"");
            Assert.True(differences.Count > 0, $"{name} now agrees with {reference}: remove its 'deliberate' mark and its README line");
        }
        else if (known is null)
        {
            Assert.True(differences.Count == 0, $"{name} ({source}) differs from {reference}:\n{string.Join("\n", differences)}");
        }
        else
        {
            Assert.True(differences.Count > 0, $"{name} now agrees with {reference}: remove its 'known' mark ({known})");
        }
    }

    /// <summary>One case of a suite: skipped (saying why) when the reference cannot run here, else compared and judged.</summary>
    public static async Task RunAsync(Xunit.Abstractions.ITestOutputHelper output, string? missing, string reference, string name, string source,
        Func<Task<List<string>>> compare, string? known, string? deliberate)
    {
        Skip.If(missing is not null, missing);
        output.WriteLine($"source: {source}");
        var differences = await compare();
        differences.ForEach(output.WriteLine);
        Check(reference, name, source, differences, known, deliberate);
    }

    /// <summary>The names of a corpus's cases, as theory data.</summary>
    public static TheoryData<string> Names(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var name in names)
        {
            data.Add(name);
        }
        return data;
    }
}
