using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace OrleansMock.Api.Auth;

/// <summary>Where the token signing key comes from: configuration, or (Embedded mode only) a file in the data folder.</summary>
public static class SigningKeys
{
    public const string EmbeddedKeyFile = "auth-signing.key";
    private const int MinimumBytes = 32;

    /// <param name="keyFolder">Embedded mode's data folder, where the key may live; null in Cluster mode, whose front ends must share a configured one.</param>
    public static SymmetricSecurityKey Load(AuthOptions options, string? keyFolder)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            return FromBase64(options.SigningKey, $"{AuthOptions.Section}:SigningKey");
        }
        if (keyFolder is null)
        {
            throw new InvalidOperationException(
                $"{AuthOptions.Section}:SigningKey is required in Cluster mode (every front end must share it): base64 of at least {MinimumBytes} random bytes, e.g. `openssl rand -base64 48`.");
        }
        var path = Path.Combine(keyFolder, EmbeddedKeyFile);
        try
        {
            return FromBase64(ReadOrCreate(path), path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"OrleansMock:DataDir='{keyFolder}' cannot hold the signing key ({exception.Message}); set OrleansMock:DataDir to a writable folder.", exception);
        }
    }

    private static string ReadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path)!;
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else if (!Directory.Exists(folder))
            {
                // The data folder, when the key is the first thing in it: private (0700), as the store would make it.
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var created = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
            // CreateNew: if two processes race, one writes and the other reads what was written.
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                using var writer = new StreamWriter(file);
                writer.Write(created);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }
        return File.ReadAllText(path).Trim();
    }

    private static SymmetricSecurityKey FromBase64(string value, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The signing key in {source} is not base64.");
        }
        return bytes.Length >= MinimumBytes
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException($"The signing key in {source} has {bytes.Length} bytes; at least {MinimumBytes} are required.");
    }
}
