using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using OrleansMock.Tests.Http;

namespace OrleansMock.Tests.Services;

/// <summary>
/// Throwaway Redis and PostgreSQL servers for this test run: found on the machine (Debian's <c>redis-server</c> and
/// <c>/usr/lib/postgresql/*/bin</c>), started once on free loopback ports in a temporary folder, stopped when the run
/// ends. No system service, no fixed port. When a binary is missing the tests that need it skip, and the reason is
/// printed once, loudly. <c>ConnectionStrings__Redis</c>/<c>ConnectionStrings__Postgres</c>, when set, name servers
/// of the developer's own instead.
/// </summary>
public static class TestServices
{
    // As root the servers run as another user, who must be able to reach their folders: /tmp, not a root-only TMPDIR.
    private static readonly string Root = Path.Combine(
        OperatingSystem.IsLinux() && Environment.UserName == "root" ? "/tmp" : Path.GetTempPath(), "orleansmock-test-services");
    private static readonly Lazy<Task<Service>> RedisServer = new(StartRedisAsync);
    private static readonly Lazy<Task<Service>> PostgresServer = new(StartPostgresAsync);
    private static readonly List<Action> Stops = [];

    static TestServices()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        StopLeftovers();
    }

    /// <summary>A connection string, or why there is none.</summary>
    public sealed record Service(string? ConnectionString, string? SkipReason)
    {
        public bool Available => ConnectionString is not null;
    }

    public static Task<Service> RedisAsync() => RedisServer.Value;

    public static Task<Service> PostgresAsync() => PostgresServer.Value;

    /// <summary>Both servers a cluster needs, or the test skips saying which is missing.</summary>
    public static async Task<(string Redis, string Postgres)> RequireClusterServicesAsync()
    {
        var redis = await RedisAsync();
        var postgres = await PostgresAsync();
        Skip.IfNot(redis.Available, redis.SkipReason);
        Skip.IfNot(postgres.Available, postgres.SkipReason);
        return (redis.ConnectionString!, postgres.ConnectionString!);
    }

    private static async Task<Service> StartRedisAsync()
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__Redis") is { Length: > 0 } given)
        {
            return new(given, null);
        }
        var binary = FindBinary("redis-server", ["/usr/bin", "/usr/local/bin", "/usr/sbin"]);
        if (binary is null)
        {
            return Unavailable("Redis", "no redis-server binary (Debian: apt-get install redis-server)");
        }
        var folder = NewFolder("redis");
        var port = ApiFactory.FreePort();
        var process = Run(binary, ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder], folder);
        Register(folder, process.Id, () => Kill(process), $"kill {process.Id}");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (await RedisPingsAsync(port))
            {
                return new($"127.0.0.1:{port}", null);
            }
            await Task.Delay(100);
        }
        return Unavailable("Redis", $"redis-server did not answer PING on port {port}: {ReadLog(Path.Combine(folder, "process.log"))}");
    }

    private static async Task<Service> StartPostgresAsync()
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } given)
        {
            return new(given, null);
        }
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
            : null;
        bin ??= FindBinary("initdb", []) is { } initdb ? Path.GetDirectoryName(initdb) : null;
        if (bin is null)
        {
            return Unavailable("PostgreSQL", "no initdb/pg_ctl binaries (Debian: apt-get install postgresql)");
        }
        var folder = NewFolder("postgres");
        var data = Path.Combine(folder, "data");
        // initdb refuses to run as root; as root, the server runs as Debian's postgres user (or nobody).
        var user = Environment.UserName == "root" ? (UserExists("postgres") ? "postgres" : "nobody") : null;
        if (user is not null)
        {
            await RunToEndAsync("chown", [user, folder], folder);
        }
        var port = ApiFactory.FreePort();
        var init = await RunToEndAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "orleansmock", "--auth=trust", "-E", "UTF8", "--no-sync"], folder, user);
        if (init.ExitCode != 0)
        {
            return Unavailable("PostgreSQL", $"initdb failed ({init.ExitCode}): {init.Output}");
        }
        var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200";
        var start = await RunToEndAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start"], folder, user);
        if (start.ExitCode != 0)
        {
            return Unavailable("PostgreSQL", $"pg_ctl start failed ({start.ExitCode}): {start.Output} {ReadLog(Path.Combine(folder, "server.log"))}");
        }
        var pid = int.TryParse(File.ReadLines(Path.Combine(data, "postmaster.pid")).FirstOrDefault(), out var p) ? p : 0;
        var pgStop = $"{(user is null ? "" : $"runuser -u {user} -- ")}'{Path.Combine(bin, "pg_ctl")}' -D '{data}' -m immediate stop";
        Register(folder, pid, () => RunToEndAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], folder, user).Wait(TimeSpan.FromSeconds(20)), pgStop);
        return new($"Host=127.0.0.1;Port={port};Username=orleansmock;Password=unused;Database=postgres", null);
    }

    private static Service Unavailable(string what, string why)
    {
        var reason = $"skipped: {what} is not available on this machine ({why}); the tests that need {what} did not run";
        // One loud line in the run's output, whichever test asked first.
        Console.Error.WriteLine($"*** {reason} ***");
        return new(null, reason);
    }

    /// <summary>Runs a program to its end; as root, as <paramref name="user"/> through runuser.</summary>
    private static async Task<(int ExitCode, string Output)> RunToEndAsync(string file, string[] arguments, string folder, string? user = null)
    {
        var start = new ProcessStartInfo(user is null ? file : "runuser")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in user is null ? arguments : ["-u", user, "--", file, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output + await error).Trim());
    }

    private static Process Run(string file, string[] arguments, string folder)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        var log = Path.Combine(folder, "process.log");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(string log, string? line)
    {
        if (line is not null)
        {
            lock (Stops)
            {
                File.AppendAllText(log, line + "\n");
            }
        }
    }

    private static async Task<bool> RedisPingsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG");
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private static string? FindBinary(string name, string[] extraFolders) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(extraFolders)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    private static bool UserExists(string user) => File.ReadLines("/etc/passwd").Any(line => line.StartsWith(user + ":", StringComparison.Ordinal));

    private static string NewFolder(string kind)
    {
        if (OperatingSystem.IsLinux())
        {
            // Traversable by the server's user whatever the umask; each server's own folder is its user's alone.
            Directory.CreateDirectory(Root);
            File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var folder = Path.Combine(Root, $"{kind}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "owner.pid"), Environment.ProcessId.ToString());
        return folder;
    }

    private static string ReadLog(string path) => File.Exists(path) ? File.ReadAllText(path)[^Math.Min(2000, (int)new FileInfo(path).Length)..] : "";

    /// <summary>Remembers how to stop a server, and leaves its pid where a later run can find it if this one is killed.</summary>
    /// <summary>
    /// Remembers how to stop a server, and leaves its pid where a later run can find it. A watcher shell runs
    /// <paramref name="stopCommand"/> as soon as this test process is gone, however it ended: the test host may be
    /// killed before its exit handlers finish, and a server must not outlive the run.
    /// </summary>
    private static void Register(string folder, int pid, Action stop, string stopCommand)
    {
        File.WriteAllText(Path.Combine(folder, "server.pid"), pid.ToString());
        var watcher = new ProcessStartInfo("sh") { UseShellExecute = false };
        watcher.ArgumentList.Add("-c");
        watcher.ArgumentList.Add($"exec >/dev/null 2>&1 </dev/null; while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stopCommand}; rm -rf '{folder}'");
        Process.Start(watcher)?.Dispose();
        lock (Stops)
        {
            Stops.Add(() =>
            {
                stop();
                TryDelete(folder);
            });
        }
    }

    private static void StopAll()
    {
        Action[] stops;
        lock (Stops)
        {
            stops = [.. Stops];
            Stops.Clear();
        }
        foreach (var stop in stops)
        {
            try
            {
                stop();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"stopping a test service failed: {e.Message}");
            }
        }
    }

    /// <summary>Servers of an earlier run whose test process died without stopping them (its pid is gone).</summary>
    private static void StopLeftovers()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }
        foreach (var folder in Directory.GetDirectories(Root))
        {
            var owner = Path.Combine(folder, "owner.pid");
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var ownerPid) && ProcessAlive(ownerPid))
            {
                continue;
            }
            var server = Path.Combine(folder, "server.pid");
            if (File.Exists(server) && int.TryParse(File.ReadAllText(server), out var serverPid) && serverPid > 0 && ProcessAlive(serverPid))
            {
                try
                {
                    Process.GetProcessById(serverPid).Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
            TryDelete(folder);
        }
    }

    private static bool ProcessAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
