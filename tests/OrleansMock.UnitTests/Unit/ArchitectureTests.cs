using System.Text.RegularExpressions;
using OrleansMock.Tests.Http;

namespace OrleansMock.Tests.Unit;

/// <summary>The shape README describes, checked on the source: project references and the front end's folders.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = ApiProcess.RepositoryRoot();

    [Theory]
    [InlineData("api", "Api")]
    [InlineData("grains", "Grains")]
    [InlineData("silo", "Silo")]
    public void Every_folders_namespace_depends_on_the_others_without_cycles(string project, string name)
    {
        var uses = FolderDependencies(project, name);
        Assert.True(uses.Count >= 2, $"{project} has only {uses.Count} folders: the check would prove little");
        foreach (var start in uses.Keys)
        {
            var seen = new HashSet<string>();
            var pending = new Stack<string>(uses[start]);
            while (pending.TryPop(out var next))
            {
                Assert.False(next == start, $"{project}/{start} depends on itself through {string.Join(", ", seen)}");
                if (seen.Add(next))
                {
                    foreach (var further in uses[next])
                    {
                        pending.Push(further);
                    }
                }
            }
        }
    }

    [Fact]
    public void The_layers_of_the_mock_engine_and_the_front_end_point_down()
    {
        // Bottom layers name no other folder of their project; the mock engine reads upward: Schemas, Matching,
        // Responses, Routing, then the grains that compose them.
        var grains = FolderDependencies("grains", "Grains");
        Assert.Empty(grains["Safety"]);
        Assert.Equal(["Safety"], grains["Schemas"]);
        Assert.Equal(["Safety", "Schemas"], grains["Matching"].Order());
        Assert.DoesNotContain("Routing", grains["Responses"]);
        Assert.DoesNotContain("Projects", grains.Where(g => g.Key != "Projects").SelectMany(g => g.Value));
        var api = FolderDependencies("api", "Api");
        Assert.Empty(api["Http"]);
        Assert.DoesNotContain("Apis", api["MockTraffic"]); // mock traffic does not go through the management API
    }

    /// <summary>
    /// Which of a project's folders (one namespace each) each folder's code names: a using, or a qualified
    /// <c>Folder.Type</c> reference.
    /// </summary>
    private static Dictionary<string, HashSet<string>> FolderDependencies(string project, string name)
    {
        var folders = Directory.GetDirectories(Path.Combine(Root, project))
            .Select(Path.GetFileName)
            .Where(folder => folder is not (null or "bin" or "obj" or "console") && Directory.GetFiles(Path.Combine(Root, project, folder), "*.cs").Length > 0)
            .Select(folder => folder!)
            .ToArray();
        return folders.ToDictionary(folder => folder, folder => Directory.GetFiles(Path.Combine(Root, project, folder), "*.cs")
            .Select(File.ReadAllText)
            .SelectMany(text => Regex.Matches(text, $@"using OrleansMock\.{name}\.(?<area>\w+);").Select(m => m.Groups["area"].Value)
                .Concat(folders.Where(other => Regex.IsMatch(text, $@"(?<![\w.]){other}\.[A-Z]"))))
            .Where(used => used != folder && folders.Contains(used))
            .ToHashSet());
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

    [GeneratedRegex("PackageReference Include=\"([^\"]+)\"")]
    private static partial Regex PackageReference();
}
