using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Tests.Grains;

/// <summary>The front end's rate limiter against real shard grains, with its own clock frozen or moved by hand.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RateLimitLeaseTests(ClusterFixture fixture)
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private RateLimiter NewFrontEnd() => new(fixture.Grains, _clock, Microsoft.Extensions.Options.Options.Create(new RateLimitOptions()), NullLogger<RateLimiter>.Instance);

    private static RateLimitPolicyOptions Policy(int limit) => new() { Limit = limit, WindowSeconds = 3600 };

    /// <summary>What the shard grain itself has counted: one more permit taken directly, then its Remaining read back.</summary>
    private async Task<int> GrainRemainingAsync(string subject, RateLimitPolicyOptions policy) =>
        (await fixture.Grains.GetGrain<IRateLimitShardGrain>(RateLimitKeys.Shard("lease-test", subject)).TryAcquireAsync(subject, policy.Rule)).Remaining;

    private static async Task AdmitAsync(RateLimiter limiter, RateLimitPolicyOptions policy, string subject, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            Assert.False((await limiter.CheckAsync("lease-test", policy, subject)).Refused);
        }
    }

    [Fact]
    public async Task A_busy_client_is_served_from_leases_yet_exactly_the_limit_passes_and_remaining_counts_down_by_one()
    {
        var policy = Policy(1000); // leases of up to 10 permits
        var subject = Guid.NewGuid().ToString("N");
        var limiter = NewFrontEnd();
        var remaining = new List<int>();
        var allowed = 0;
        for (var i = 0; i < 1100; i++)
        {
            var check = await limiter.CheckAsync("lease-test", policy, subject);
            if (!check.Refused)
            {
                allowed++;
                remaining.Add(check.Decision!.Value.Remaining);
            }
        }
        Assert.Equal(1000, allowed);
        Assert.Equal(Enumerable.Range(0, 1000).Reverse(), remaining);
    }

    [Fact]
    public async Task Leases_grow_only_up_to_one_percent_of_the_limit_and_are_counted_by_the_grain_when_taken()
    {
        var policy = Policy(1000);
        var subject = Guid.NewGuid().ToString("N");
        var limiter = NewFrontEnd();
        await AdmitAsync(limiter, policy, subject, 20);
        // Leases of 1, 2, 4, 8 and then 10 permits: 25 counted by the grain for the 20 spent, plus the one taken here.
        Assert.Equal(1000 - 25 - 1, await GrainRemainingAsync(subject, policy));
    }

    [Fact]
    public async Task Concurrent_requests_share_one_refill_so_at_most_one_lease_is_counted_but_unspent()
    {
        var policy = Policy(100_000); // leases of up to 256 permits
        var subject = Guid.NewGuid().ToString("N");
        var limiter = NewFrontEnd();
        for (var wave = 0; wave < 40; wave++)
        {
            var checks = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => limiter.CheckAsync("lease-test", policy, subject).AsTask()));
            Assert.All(checks, check => Assert.False(check.Refused));
        }
        var counted = 100_000 - 1 - await GrainRemainingAsync(subject, policy);
        Assert.InRange(counted - 40 * 64, 0, RateLimiter.MaxLeasePermits - 1);
    }

    [Fact]
    public async Task A_limit_under_200_is_checked_with_the_grain_request_by_request()
    {
        var policy = Policy(150);
        var subject = Guid.NewGuid().ToString("N");
        var limiter = NewFrontEnd();
        await AdmitAsync(limiter, policy, subject, 20);
        Assert.Equal(150 - 20 - 1, await GrainRemainingAsync(subject, policy));
    }

    [Fact]
    public async Task Unspent_permits_expire_with_their_lease_and_the_next_lease_is_smaller()
    {
        var policy = Policy(1000);
        var subject = Guid.NewGuid().ToString("N");
        var limiter = NewFrontEnd();
        await AdmitAsync(limiter, policy, subject, 8); // leases of 1, 2, 4 and 8: 15 permits taken, 8 spent, 7 left in the last
        _clock.Advance(RateLimiter.LeaseLifetime + TimeSpan.FromMilliseconds(1));
        var after = await limiter.CheckAsync("lease-test", policy, subject); // a fresh lease of 4: the 7 are gone
        Assert.False(after.Refused);
        Assert.Equal(1000 - 15 - 4 + 3, after.Decision!.Value.Remaining);
        Assert.Equal(1000 - 15 - 4 - 1, await GrainRemainingAsync(subject, policy));
    }

    [Fact]
    public async Task Ipv6_clients_are_counted_per_64_network_unless_configured_per_address()
    {
        var policy = Policy(3);
        var network = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";
        var limiter = NewFrontEnd();
        Assert.Equal($"{network}::/64", limiter.SubjectName($"{network}:1:2:3:4"));
        Assert.Equal("10.0.0.1", limiter.SubjectName("10.0.0.1"));
        Assert.Equal("u_abc", limiter.SubjectName("u_abc"));
        for (var i = 1; i <= 3; i++)
        {
            Assert.False((await limiter.CheckAsync("lease-v6", policy, $"{network}::{i}")).Refused);
        }
        Assert.True((await limiter.CheckAsync("lease-v6", policy, $"{network}:ffff::9")).Refused); // another address, same /64

        var perAddress = new RateLimiter(fixture.Grains, _clock, Microsoft.Extensions.Options.Options.Create(new RateLimitOptions { Ipv6PrefixLength = 128 }),
            NullLogger<RateLimiter>.Instance);
        Assert.Equal($"{network}::9", perAddress.SubjectName($"{network}::9"));
    }
}
