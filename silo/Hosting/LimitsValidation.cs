using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Silo.Hosting;

/// <summary>
/// The limits and the tester's settings checked when the host starts, as <see cref="OrleansMockOptions.Validator"/>
/// checks the rest: one message per invalid setting, each naming its key and what it may be
/// (<c>OrleansMock:Limits:MaxDelayMs=-5</c> was accepted, and a budget of 0 or less would refuse everything).
/// </summary>
public static class LimitsValidation
{
    private static void AtLeast(List<string> failures, string section, string key, long value, long minimum, string meaning = "")
    {
        if (value < minimum)
        {
            failures.Add($"{section}:{key}='{value}' must be at least {minimum}{meaning}.");
        }
    }

    public sealed class Limits : IValidateOptions<MockLimits>
    {
        public ValidateOptionsResult Validate(string? name, MockLimits o)
        {
            var failures = new List<string>();
            const string s = MockLimits.Section;
            foreach (var (key, value) in new (string, long)[]
            {
                ("MaxRequestBodyBytes", o.MaxRequestBodyBytes), ("MaxProjectsPerUser", o.MaxProjectsPerUser), ("MaxEndpointsPerProject", o.MaxEndpointsPerProject),
                ("MaxProjectBytes", o.MaxProjectBytes), ("MaxResponseBodyBytes", o.MaxResponseBodyBytes), ("MaxTemplateSteps", o.MaxTemplateSteps),
                ("MaxResponseHeaders", o.MaxResponseHeaders), ("MaxPathLength", o.MaxPathLength), ("MaxResourcesPerProject", o.MaxResourcesPerProject),
                ("MaxRecordsPerResource", o.MaxRecordsPerResource), ("MaxResourceBytes", o.MaxResourceBytes), ("MaxRecordBytes", o.MaxRecordBytes),
                ("MaxLogStreamsPerUser", o.MaxLogStreamsPerUser), ("RequestLogMaxAgeHours", o.RequestLogMaxAgeHours),
            })
            {
                AtLeast(failures, s, key, value, 1);
            }
            AtLeast(failures, s, "MaxDelayMs", o.MaxDelayMs, 0);
            AtLeast(failures, s, "RequestLogSize", o.RequestLogSize, 0, " (0 turns the request log off)");
            AtLeast(failures, s, "RequestLogBodyBytes", o.RequestLogBodyBytes, 0);
            if (o.RedactNames.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{s}:RedactNames may not hold an empty name (it would mask every value).");
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    public sealed class Tester : IValidateOptions<TesterOptions>
    {
        public ValidateOptionsResult Validate(string? name, TesterOptions o)
        {
            var failures = new List<string>();
            const string s = TesterOptions.Section;
            foreach (var (key, value) in new (string, long)[]
            {
                ("MaxTimeoutMs", o.MaxTimeoutMs), ("MaxRequestBodyBytes", o.MaxRequestBodyBytes), ("MaxResponseBodyBytes", o.MaxResponseBodyBytes),
                ("MaxConcurrentPerUser", o.MaxConcurrentPerUser), ("HistoryMaxEntries", o.HistoryMaxEntries), ("HistoryMaxAgeDays", o.HistoryMaxAgeDays),
                ("WorkspaceMaxBytes", o.WorkspaceMaxBytes), ("HistoryMaxBytes", o.HistoryMaxBytes),
            })
            {
                AtLeast(failures, s, key, value, 1);
            }
            AtLeast(failures, s, "MaxRedirects", o.MaxRedirects, 0, " (0 follows no redirect)");
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
