using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// Readiness check for Cluster mode: the Redis that holds the membership table answers a PING. One connection is kept
/// for the process (StackExchange.Redis reconnects by itself); a failed connect is retried on the next check.
/// </summary>
public sealed class RedisReadiness(ClusterSettings cluster) : IHealthCheck, IDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var redis = await ConnectAsync();
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            return HealthCheckResult.Healthy($"Redis at {Endpoint()} answered in {latency.TotalMilliseconds:F1} ms");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Redis at {Endpoint()} does not answer: {exception.Message}");
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (_redis is { } connected)
        {
            return connected;
        }
        await _connecting.WaitAsync();
        try
        {
            if (_redis is null)
            {
                var options = ConfigurationOptions.Parse(cluster.Redis);
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = 3000;
                _redis = await ConnectionMultiplexer.ConnectAsync(options);
            }
            return _redis;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private string Endpoint() => string.Join(",", ConfigurationOptions.Parse(cluster.Redis).EndPoints);

    public void Dispose() => _redis?.Dispose();
}
