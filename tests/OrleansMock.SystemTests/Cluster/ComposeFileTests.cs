using System.Diagnostics;

namespace OrleansMock.Tests.Cluster;

/// <summary>docker-compose.yml is parsed by Debian's docker-compose (no engine needed) so it stays valid.</summary>
public sealed class ComposeFileTests
{
    [SkippableFact]
    public async Task Compose_file_is_valid_and_demands_a_signing_key()
    {
        var (compose, root) = ComposeAndRoot();

        var signingKey = ("ORLEANSMOCK_SIGNING_KEY", Convert.ToBase64String(new byte[48]));
        var opsKey = ("ORLEANSMOCK_OPS_KEY", "an-operations-key");
        var (valid, _) = await RunAsync(compose, root, signingKey, opsKey);
        Assert.Equal(0, valid);
        var (missing, output) = await RunAsync(compose, root, opsKey);
        Assert.NotEqual(0, missing);
        Assert.Contains("ORLEANSMOCK_SIGNING_KEY", output);
        var (noOpsKey, opsOutput) = await RunAsync(compose, root, signingKey);
        Assert.NotEqual(0, noOpsKey);
        Assert.Contains("ORLEANSMOCK_OPS_KEY", opsOutput);
    }

    [SkippableFact]
    public async Task READMEs_compose_command_sets_every_variable_the_file_requires()
    {
        // README's line left out ORLEANSMOCK_OPS_KEY, so following it failed (issue 33.6).
        var (compose, root) = ComposeAndRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var command = readme[..readme.IndexOf("docker compose up -d", StringComparison.Ordinal)];
        command = command[command.LastIndexOf('`')..];
        var variables = System.Text.RegularExpressions.Regex.Matches(command, @"(ORLEANSMOCK_[A-Z_]+)=").Select(m => (m.Groups[1].Value, "value-of-" + m.Groups[1].Value)).ToArray();
        Assert.Contains(variables, v => v.Item1 == "ORLEANSMOCK_SIGNING_KEY");
        var (exitCode, output) = await RunAsync(compose, root, variables);
        Assert.True(exitCode == 0, $"README's command sets {string.Join(", ", variables.Select(v => v.Item1))}; docker-compose says: {output}");
    }

    /// <summary>Debian's docker-compose (the test is skipped without it) and the repository's root folder.</summary>
    private static (string Compose, string Root) ComposeAndRoot()
    {
        var compose = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists);
        Skip.If(compose is null, "skipped: docker-compose is not installed (.ci/run installs it)");
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OrleansMock.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        }
        return (compose!, root);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string compose, string root, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(compose) { ArgumentList = { "-f", "docker-compose.yml", "config", "-q" }, WorkingDirectory = root,
            RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment.Remove("ORLEANSMOCK_SIGNING_KEY");
        start.Environment.Remove("ORLEANSMOCK_OPS_KEY");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
