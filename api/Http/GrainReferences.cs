using System.Collections.Concurrent;

namespace OrleansMock.Api.Http;

/// <summary>
/// Grain references kept by key for the hot path. GetGrain resolves the interface's grain type through reflection on
/// every call (seen in a dotnet-trace profile); a reference is immutable and valid for any activation, so the front
/// end keeps them. Bounded: cleared when it grows past <see cref="MaxKept"/>.
/// </summary>
public sealed class GrainReferences<TGrain>(IGrainFactory grains) where TGrain : IGrainWithStringKey
{
    public const int MaxKept = 100_000;

    private readonly ConcurrentDictionary<string, TGrain> _kept = new(StringComparer.Ordinal);

    public TGrain Get(string key)
    {
        if (_kept.TryGetValue(key, out var grain))
        {
            return grain;
        }
        if (_kept.Count >= MaxKept)
        {
            _kept.Clear();
        }
        return _kept[key] = grains.GetGrain<TGrain>(key);
    }
}
