using System.Text.RegularExpressions;
using OrleansMock.Tests.Http;

namespace OrleansMock.Tests.Unit;

/// <summary>The shape README describes, checked on the source: project references and the front end's folders.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = ApiProcess.RepositoryRoot();

    [Fact]
    public void The_front_ends_namespaces_depend_on_each_other_without_cycles()
    {
        // Which of the api's namespaces each api folder's code names (a using, or a qualified Apis./Auth./... reference).
        string[] areas = ["Apis", "Auth", "Hosting", "Http", "Tester"];
        var uses = areas.ToDictionary(area => area, area => Directory.GetFiles(Path.Combine(Root, "api", area), "*.cs")
            .SelectMany(file => ApiNamespace().Matches(File.ReadAllText(file)).Select(m => m.Groups["area"].Value)
                .Concat(areas.Where(other => Regex.IsMatch(File.ReadAllText(file), $@"(?<![\w.]){other}\.[A-Z]"))))
            .Where(used => used != area && areas.Contains(used))
            .ToHashSet());
        foreach (var start in areas)
        {
            var seen = new HashSet<string>();
            var pending = new Stack<string>(uses[start]);
            while (pending.TryPop(out var next))
            {
                Assert.False(next == start, $"api/{start} depends on itself through {string.Join(", ", seen)}");
                if (seen.Add(next))
                {
                    foreach (var further in uses[next])
                    {
                        pending.Push(further);
                    }
                }
            }
        }
        Assert.Empty(uses["Http"]); // the bottom layer
    }

    [Fact]
    public void Grain_interfaces_depend_on_the_orleans_sdk_only_and_the_front_end_never_on_grains()
    {
        var interfaces = File.ReadAllText(Path.Combine(Root, "grain-interfaces", "OrleansMock.GrainInterfaces.csproj"));
        Assert.DoesNotContain("ProjectReference", interfaces);
        Assert.Equal(["Microsoft.Orleans.Sdk"], PackageReference().Matches(interfaces).Select(m => m.Groups[1].Value));
        var api = File.ReadAllText(Path.Combine(Root, "api", "OrleansMock.Api.csproj"));
        Assert.DoesNotContain(@"grains\OrleansMock.Grains.csproj", api);
        Assert.DoesNotContain("using OrleansMock.Grains", string.Concat(Directory.GetFiles(Path.Combine(Root, "api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).Select(File.ReadAllText)));
    }

    [Fact]
    public void The_front_end_uses_the_silo_project_only_through_its_hosting_namespace()
    {
        var used = Directory.GetFiles(Path.Combine(Root, "api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => SiloNamespace().Matches(File.ReadAllText(f)).Select(m => m.Value))
            .ToHashSet();
        Assert.Equal(["OrleansMock.Silo.Hosting"], used);
    }

    [GeneratedRegex(@"OrleansMock\.Silo(\.\w+)*")]
    private static partial Regex SiloNamespace();

    [GeneratedRegex(@"using OrleansMock\.Api\.(?<area>\w+);")]
    private static partial Regex ApiNamespace();

    [GeneratedRegex("PackageReference Include=\"([^\"]+)\"")]
    private static partial Regex PackageReference();
}
