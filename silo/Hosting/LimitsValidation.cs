using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// The limits, the rate limits and the tester's settings checked when the host starts, as <see cref="OrleansMockOptions.Validator"/>
/// checks the rest: one message per invalid setting, each naming its key and what it may be
/// (<c>OrleansMock:Limits:MaxDelayMs=-5</c> was accepted, and a budget of 0 or less would refuse everything).
/// </summary>
public static class LimitsValidation
{
    /// <summary>One message per setting under its minimum (0 where 0 means off or none, else 1).</summary>
    private static ValidateOptionsResult Check(string section, IEnumerable<(string Key, long Value, long Minimum, string Meaning)> settings, params string[] more)
    {
        var failures = settings.Where(s => s.Value < s.Minimum)
            .Select(s => $"{section}:{s.Key}='{s.Value}' must be at least {s.Minimum}{s.Meaning}.").Concat(more).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static (string, long, long, string) Positive(string key, long value) => (key, value, 1, "");

    public sealed class Limits : IValidateOptions<MockLimits>
    {
        public ValidateOptionsResult Validate(string? name, MockLimits o) => Check(MockLimits.Section,
        [
            Positive("MaxRequestBodyBytes", o.MaxRequestBodyBytes), Positive("MaxProjectsPerUser", o.MaxProjectsPerUser),
            Positive("MaxEndpointsPerProject", o.MaxEndpointsPerProject), Positive("MaxProjectBytes", o.MaxProjectBytes),
            Positive("MaxResponseBodyBytes", o.MaxResponseBodyBytes), Positive("MaxTemplateSteps", o.MaxTemplateSteps),
            Positive("MaxResponseHeaders", o.MaxResponseHeaders), Positive("MaxPathLength", o.MaxPathLength),
            Positive("MaxResourcesPerProject", o.MaxResourcesPerProject), Positive("MaxRecordsPerResource", o.MaxRecordsPerResource),
            Positive("MaxResourceBytes", o.MaxResourceBytes), Positive("MaxAccountBytes", o.MaxAccountBytes), Positive("MaxRecordBytes", o.MaxRecordBytes),
            Positive("MaxLogStreamsPerUser", o.MaxLogStreamsPerUser), Positive("MaxLogStreams", o.MaxLogStreams), Positive("RequestLogMaxAgeHours", o.RequestLogMaxAgeHours),
            ("MaxDelayMs", o.MaxDelayMs, 0, ""), ("RequestLogSize", o.RequestLogSize, 0, " (0 turns the request log off)"),
            ("RequestLogBodyBytes", o.RequestLogBodyBytes, 0, ""),
            ("MaxWebhooksPerResponse", o.MaxWebhooksPerResponse, 0, " (0 turns webhooks off)"), Positive("MaxPendingWebhooks", o.MaxPendingWebhooks),
            Positive("WebhookConcurrency", o.WebhookConcurrency), Positive("WebhooksPerMinute", o.WebhooksPerMinute),
            ("MaxWebhookDelayMs", o.MaxWebhookDelayMs, 0, ""), Positive("MaxWebhookBodyBytes", o.MaxWebhookBodyBytes),
            Positive("WebhookTimeoutMs", o.WebhookTimeoutMs), ("WebhookLogSize", o.WebhookLogSize, 0, ""),
            ("MaxSessionsPerProject", o.MaxSessionsPerProject, 0, " (0 turns test sessions off)"), Positive("MaxUploadBytes", o.MaxUploadBytes),
            ("HistorySize", o.HistorySize, 0, " (0 keeps no history)"), Positive("HistoryMaxBytes", o.HistoryMaxBytes), Positive("MaxTeamsPerUser", o.MaxTeamsPerUser),
        ],
        [
            .. o.RedactNames.Any(string.IsNullOrWhiteSpace) ? [$"{MockLimits.Section}:RedactNames may not hold an empty name (it would mask every value)."] : Array.Empty<string>(),
            .. o.SessionIdleMinutes is > 0 and <= 10_080 ? Array.Empty<string>()
                : [$"{MockLimits.Section}:SessionIdleMinutes='{o.SessionIdleMinutes}' must be more than 0 and at most 10080 (a week)."],
        ]);
    }

    public sealed class RateLimits : IValidateOptions<RateLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, RateLimitOptions o)
        {
            (string Name, RateLimitPolicyOptions Policy)[] policies =
            [
                (nameof(o.MockPerClient), o.MockPerClient), (nameof(o.MockPerProject), o.MockPerProject), (nameof(o.Management), o.Management),
                (nameof(o.LoginPerClient), o.LoginPerClient), (nameof(o.RegisterPerClient), o.RegisterPerClient),
                (nameof(o.FailedAuthPerClient), o.FailedAuthPerClient),
            ];
            List<string> more = [];
            if (o.Ipv6PrefixLength > 128)
            {
                more.Add($"{RateLimitOptions.Section}:Ipv6PrefixLength='{o.Ipv6PrefixLength}' must be at most 128.");
            }
            return Check(RateLimitOptions.Section,
                [
                    ("Ipv6PrefixLength", o.Ipv6PrefixLength, 1, ""),
                    .. policies.SelectMany(p => new[]
                    {
                        ($"{p.Name}:Limit", (long)p.Policy.Limit, 0L, " (0 turns the policy off)"), Positive($"{p.Name}:WindowSeconds", p.Policy.WindowSeconds),
                        ($"{p.Name}:MaxLimit", p.Policy.MaxLimit, 0, ""),
                    }),
                ], [.. more]);
        }
    }

    public sealed class Tester : IValidateOptions<TesterOptions>
    {
        public ValidateOptionsResult Validate(string? name, TesterOptions o) => Check(TesterOptions.Section,
        [
            Positive("MaxTimeoutMs", o.MaxTimeoutMs), Positive("MaxRequestBodyBytes", o.MaxRequestBodyBytes),
            Positive("MaxResponseBodyBytes", o.MaxResponseBodyBytes), Positive("MaxConcurrentPerUser", o.MaxConcurrentPerUser),
            Positive("HistoryMaxEntries", o.HistoryMaxEntries), Positive("HistoryMaxAgeDays", o.HistoryMaxAgeDays),
            Positive("WorkspaceMaxBytes", o.WorkspaceMaxBytes), Positive("HistoryMaxBytes", o.HistoryMaxBytes),
            ("MaxRedirects", o.MaxRedirects, 0, " (0 follows no redirect)"),
        ]);
    }
}
