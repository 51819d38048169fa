using Orleans.Concurrency;

namespace OrleansMock.GrainInterfaces;

/// <summary>
/// One mock project, keyed by project id. Holds the project and its endpoints in memory and answers mock
/// traffic from memory; every acknowledged change is persisted first.
/// </summary>
[Alias("om.IMockProjectGrain")]
public interface IMockProjectGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<Outcome<ProjectInfo>> CreateAsync(CreateProject command);

    [ReadOnly, Alias("Get")]
    Task<ProjectInfo?> GetAsync();

    [Alias("Update")]
    Task<Outcome<ProjectInfo>> UpdateAsync(UpdateProject command);

    /// <summary>Deletes the project and its endpoints; true when there was one to delete.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync();

    /// <summary>Whether this project currently holds <paramref name="slug"/>; used by the slug index to heal.</summary>
    [ReadOnly, AlwaysInterleave, Alias("OwnsSlug")]
    Task<bool> OwnsSlugAsync(string slug);

    [ReadOnly, Alias("ListEndpoints")]
    Task<Outcome<EndpointInfo[]>> ListEndpointsAsync();

    [ReadOnly, Alias("GetEndpoint")]
    Task<Outcome<EndpointInfo>> GetEndpointAsync(string endpointId);

    [Alias("AddEndpoint")]
    Task<Outcome<EndpointInfo>> AddEndpointAsync(EndpointSpec spec);

    /// <summary>Replaces an endpoint; when <paramref name="expectedRevision"/> is given it must be current.</summary>
    [Alias("ReplaceEndpoint")]
    Task<Outcome<EndpointInfo>> ReplaceEndpointAsync(string endpointId, EndpointSpec spec, int? expectedRevision);

    [Alias("DeleteEndpoint")]
    Task<Outcome<bool>> DeleteEndpointAsync(string endpointId);

    /// <summary>Answers one mock request from memory.</summary>
    [ReadOnly, Alias("Handle")]
    ValueTask<MockResult> HandleAsync(MockRequest request);
}

/// <summary>The slug index, one grain per slug: at most one project holds a slug at a time.</summary>
[Alias("om.IProjectSlugGrain")]
public interface IProjectSlugGrain : IGrainWithStringKey
{
    /// <summary>Takes the slug for <paramref name="projectId"/>; false when another live project holds it.</summary>
    [Alias("Claim")]
    Task<bool> ClaimAsync(string projectId);

    /// <summary>Frees the slug if <paramref name="projectId"/> holds it.</summary>
    [Alias("Release")]
    Task ReleaseAsync(string projectId);

    [ReadOnly, Alias("Resolve")]
    Task<string?> ResolveAsync();
}

/// <summary>The list of one tenant's projects (keyed by owner), newest first.</summary>
[Alias("om.IProjectCatalogGrain")]
public interface IProjectCatalogGrain : IGrainWithStringKey
{
    [Alias("Upsert")]
    Task UpsertAsync(ProjectInfo project);

    [Alias("Remove")]
    Task RemoveAsync(string projectId);

    /// <summary>A page of projects after <paramref name="cursor"/>; Invalid when the cursor was not issued by this service.</summary>
    [ReadOnly, Alias("List")]
    Task<Outcome<ProjectPage>> ListAsync(string? cursor, int limit);
}
