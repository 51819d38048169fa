namespace OrleansMock.GrainInterfaces;

/// <summary>The result of one readiness probe.</summary>
[GenerateSerializer, Immutable, Alias("om.HealthProbe")]
public sealed record HealthProbe(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Healthy,
    [property: Id(2)] string Detail,
    [property: Id(3)] double DurationMs);

/// <summary>Readiness from inside the cluster: answering at all proves a silo is up; the probe checks its storage.</summary>
[Alias("om.IHealthGrain")]
public interface IHealthGrain : IGrainWithIntegerKey
{
    [Alias("CheckStorage")]
    Task<HealthProbe> CheckStorageAsync();
}
