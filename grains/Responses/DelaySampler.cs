using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Responses;

/// <summary>Draws a response's delay: fixed, uniform between two bounds, or log-normal around a median; never past the limit.</summary>
public static class DelaySampler
{
    public static int Sample(DelaySpec? delay, int legacyFixedMs, int maxMs, Random random)
    {
        double ms = delay switch
        {
            null => legacyFixedMs,
            { Fixed: { } fixedMs } => fixedMs,
            { UniformLower: { } lower, UniformUpper: { } upper } => lower + random.NextDouble() * (upper - lower),
            { LognormalMedian: { } median, LognormalSigma: { } sigma } => median * Math.Exp(sigma * StandardNormal(random)),
            _ => 0,
        };
        return (int)Math.Clamp(Math.Round(ms), 0, maxMs);
    }

    /// <summary>Null when valid, else what is wrong (naming <paramref name="field"/>).</summary>
    public static string? Check(DelaySpec? delay, string field, int maxMs)
    {
        switch (delay)
        {
            case null:
                return null;
            case { Fixed: { } fixedMs, UniformLower: null, UniformUpper: null, LognormalMedian: null, LognormalSigma: null }:
                return fixedMs < 0 || fixedMs > maxMs ? $"{field}.fixed must be between 0 and {maxMs} ms" : null;
            case { Fixed: null, UniformLower: { } lower, UniformUpper: { } upper, LognormalMedian: null, LognormalSigma: null }:
                return lower < 0 || upper < lower || upper > maxMs ? $"{field}.uniform needs 0 <= lower <= upper <= {maxMs} ms" : null;
            case { Fixed: null, UniformLower: null, UniformUpper: null, LognormalMedian: { } median, LognormalSigma: { } sigma }:
                return median <= 0 || median > maxMs || sigma < 0 || sigma > 5 || double.IsNaN(median + sigma)
                    ? $"{field}.lognormal needs 0 < median <= {maxMs} ms and 0 <= sigma <= 5"
                    : null;
            default:
                return $"{field} takes one of {{\"fixed\": ms}}, {{\"uniform\": {{\"lower\", \"upper\"}}}}, {{\"lognormal\": {{\"median\", \"sigma\"}}}}";
        }
    }

    // Box-Muller.
    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
