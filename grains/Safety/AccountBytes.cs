using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Safety;

/// <summary>
/// One holder's share of its account's <see cref="MockLimits.MaxAccountBytes"/> (a project's endpoints, or one
/// resource's records): it reserves from the owner's catalog what it needs plus some headroom, so a write asks the
/// catalog only when it outgrows what is already reserved, and gives back what it no longer needs after deletes.
/// </summary>
/// <param name="holder">The holder's name in the catalog: the project's id, or <c>{projectId}/{resource}</c>.</param>
/// <param name="account">The owner's catalog; null when the project has no owner (being created or gone).</param>
public sealed class AccountBytes(string holder, Func<Task<IProjectCatalogGrain?>> account, long maxAccountBytes)
{
    // What the catalog holds for this holder, as far as this activation knows (-1: not asked yet).
    private long _reserved = -1;

    public long Reserved => _reserved;

    /// <summary>Headroom reserved beyond what a holder needs: a quarter of it, 16 KiB to 1 MiB.</summary>
    public static long Headroom(long bytes) => Math.Clamp(bytes / 4, 16 * 1024, 1024 * 1024);

    /// <summary>Null when the account has room for the holder to hold <paramref name="needed"/> bytes; else why not.</summary>
    public async Task<string?> MakeRoomAsync(long needed)
    {
        if (needed <= _reserved || await account() is not { } catalog)
        {
            return null;
        }
        var granted = await catalog.ReserveBytesAsync(holder, needed, needed + Headroom(needed));
        if (granted < needed)
        {
            return $"the account's projects would hold more than the {maxAccountBytes} bytes of endpoints and records an account may hold "
                + "(OrleansMock:Limits:MaxAccountBytes; GET /api/v1/projects/{id}/usage shows what is used); delete endpoints, records or projects first";
        }
        _reserved = granted;
        return null;
    }

    /// <summary>After a shrink to <paramref name="used"/> bytes: gives back what is far beyond it.</summary>
    public async Task SettleAsync(long used)
    {
        var keep = used + Headroom(used);
        if (_reserved > keep + Headroom(used) && await account() is { } catalog)
        {
            _reserved = await catalog.ReserveBytesAsync(holder, used, keep);
        }
    }

    /// <summary>The holder is gone (a resource deleted): gives back everything.</summary>
    public async Task ReleaseAsync()
    {
        if (await account() is { } catalog)
        {
            await catalog.ReserveBytesAsync(holder, 0, 0);
        }
        _reserved = 0;
    }
}
