using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Proxying;

namespace OrleansMock.Grains.Projects;

/// <summary>
/// The persisted state of a project grain: the project (null until created), its resources and recording. Its endpoints
/// are records of their own (<see cref="EndpointRecords"/>); <see cref="Endpoints"/> holds them only for projects stored
/// before that, until their next change moves them.
/// </summary>
[GenerateSerializer, Alias("om.ProjectState")]
public sealed class ProjectState
{
    [Id(0)] public ProjectInfo? Project { get; set; }
    [Id(1)] public List<EndpointInfo> Endpoints { get; set; } = [];
    [Id(2)] public List<ResourceInfo> Resources { get; set; } = [];
    [Id(3)] public RecordingState? Recording { get; set; }

    /// <summary>Whether the project has ever recorded (WireMock's recording status tells "Stopped" from "NeverStarted").</summary>
    [Id(4)] public bool RecordedBefore { get; set; }

    /// <summary>
    /// Until when front ends may hold leases of this project's static answers (a minute ahead while they do): an
    /// activation that starts before then (the last one crashed) waits out the leases before it acknowledges a change.
    /// </summary>
    [Id(5)] public DateTimeOffset? AnswersLeasedUntil { get; set; }
}

/// <summary>The persisted state of a unique index entry: who holds the key.</summary>
[GenerateSerializer, Alias("om.UniqueKeyState")]
public sealed class UniqueKeyState
{
    [Id(0)] public string? HolderId { get; set; }
}

/// <summary>
/// The persisted state of a catalog grain: one tenant's projects, newest first, and the ids whose entry was written
/// ahead of a change to the project itself (<see cref="IProjectCatalogGrain.ExpectAsync"/>) and not yet confirmed.
/// </summary>
[GenerateSerializer, Alias("om.CatalogState")]
public sealed class CatalogState
{
    [Id(0)] public List<ProjectInfo> Projects { get; set; } = [];
    [Id(1)] public List<string> Pending { get; set; } = [];

    /// <summary>Bytes reserved against MaxAccountBytes, by holder (a project's id, or {projectId}/{resource}).</summary>
    [Id(2)] public Dictionary<string, long> Bytes { get; set; } = [];
}
