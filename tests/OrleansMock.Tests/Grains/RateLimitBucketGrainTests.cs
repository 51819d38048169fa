using Microsoft.Extensions.DependencyInjection;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class RateLimitBucketGrainTests(ClusterFixture fixture)
{
    private static string NewBucket() => RateLimitKeys.Bucket("test", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_burst_from_two_front_ends_through_two_silos_admits_exactly_the_limit()
    {
        var rule = new RateLimitRule(25, 60);
        var key = NewBucket();
        // Two independent callers, as two front ends would be: the test client and the second silo's own grain factory.
        IGrainFactory[] frontEnds = [fixture.Grains, fixture.Cluster.Silos[1].ServiceProvider.GetRequiredService<IGrainFactory>()];
        var decisions = await Task.WhenAll(Enumerable.Range(0, 80).Select(i =>
            frontEnds[i % 2].GetGrain<IRateLimitBucketGrain>(key).TryAcquireAsync(rule)));
        Assert.Equal(25, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.True(d.RetryAfterSeconds > 0));
    }

    [Fact]
    public async Task Counts_survive_the_bucket_being_deactivated_and_reactivated()
    {
        var rule = new RateLimitRule(5, 3600);
        var key = NewBucket();
        var bucket = fixture.Grains.GetGrain<IRateLimitBucketGrain>(key);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await bucket.TryAcquireAsync(rule)).Allowed);
        }
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.True((await bucket.TryAcquireAsync(rule)).Allowed);
        Assert.True((await bucket.TryAcquireAsync(rule)).Allowed);
        Assert.False((await bucket.TryAcquireAsync(rule)).Allowed);
    }
}
