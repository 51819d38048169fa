using Microsoft.Extensions.DependencyInjection;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class RateLimitShardGrainTests(ClusterFixture fixture)
{
    private static string NewSubject() => Guid.NewGuid().ToString("N");

    private IRateLimitShardGrain ShardOf(string policy, string subject, IGrainFactory? grains = null) =>
        (grains ?? fixture.Grains).GetGrain<IRateLimitShardGrain>(RateLimitKeys.Shard(policy, subject));

    [Fact]
    public async Task A_burst_from_two_front_ends_through_two_silos_admits_exactly_the_limit()
    {
        var rule = new RateLimitRule(25, 60);
        var subject = NewSubject();
        // Two independent callers, as two front ends would be: the test client and the second silo's own grain factory.
        IGrainFactory[] frontEnds = [fixture.Grains, fixture.Cluster.Silos[1].ServiceProvider.GetRequiredService<IGrainFactory>()];
        var decisions = await Task.WhenAll(Enumerable.Range(0, 80).Select(i =>
            ShardOf("test", subject, frontEnds[i % 2]).TryAcquireAsync(subject, rule)));
        Assert.Equal(25, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.True(d.RetryAfterSeconds > 0));
    }

    [Fact]
    public async Task Subjects_sharing_a_shard_are_counted_apart()
    {
        var rule = new RateLimitRule(2, 60);
        var first = NewSubject();
        var second = Enumerable.Range(0, 10_000).Select(_ => NewSubject()).First(s => RateLimitKeys.Shard("apart", s) == RateLimitKeys.Shard("apart", first));
        var shard = ShardOf("apart", first);
        Assert.True((await shard.TryAcquireAsync(first, rule)).Allowed);
        Assert.True((await shard.TryAcquireAsync(first, rule)).Allowed);
        Assert.False((await shard.TryAcquireAsync(first, rule)).Allowed);
        Assert.Equal(1, (await shard.TryAcquireAsync(second, rule)).Remaining);
        Assert.True((await shard.TryAcquireAsync(second, rule)).Allowed);
        Assert.False((await shard.TryAcquireAsync(second, rule)).Allowed);
    }

    [Fact]
    public async Task Counts_survive_the_shard_being_deactivated_and_reactivated()
    {
        var rule = new RateLimitRule(5, 3600);
        var subject = NewSubject();
        var shard = ShardOf("survive", subject);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await shard.TryAcquireAsync(subject, rule)).Allowed);
        }
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.True((await shard.TryAcquireAsync(subject, rule)).Allowed);
        Assert.True((await shard.TryAcquireAsync(subject, rule)).Allowed);
        Assert.False((await shard.TryAcquireAsync(subject, rule)).Allowed);
    }

    [Fact]
    public void Shard_keys_are_stable_and_spread_subjects_evenly()
    {
        Assert.Equal("p|" + (RateLimitKeys.SubjectHash("10.0.0.1") % RateLimitKeys.Shards), RateLimitKeys.Shard("p", "10.0.0.1"));
        Assert.Equal(0xaf63dc4c8601ec8cUL, RateLimitKeys.SubjectHash("a")); // FNV-1a: the same in every process and release
        var perShard = Enumerable.Range(0, 64_000).GroupBy(i => RateLimitKeys.Shard("p", $"10.{i / 65536}.{i / 256 % 256}.{i % 256}")).Select(g => g.Count()).ToList();
        Assert.Equal(RateLimitKeys.Shards, perShard.Count);
        Assert.InRange(perShard.Min(), 700, 1000);
        Assert.InRange(perShard.Max(), 1000, 1300);
    }
}
