using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: dotnet AllocSummary.dll <trace.nettrace> [top]
// Sums the GC AllocationTick samples (one per ~100 KB allocated) by type, and by the first frame outside
// System.Private.CoreLib, which is usually the code that asked for the allocation. ALLOC_KIND=large: only allocations
// on the large object heap (objects of 85,000 bytes or more). ALLOC_TYPE=<type name part>: only allocations of such types.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: AllocSummary <trace.nettrace> [top]");
    return 2;
}
var top = args.Length > 1 ? int.Parse(args[1]) : 25;
var largeOnly = Environment.GetEnvironmentVariable("ALLOC_KIND") == "large";
var typeFilter = Environment.GetEnvironmentVariable("ALLOC_TYPE");
var byType = new Dictionary<string, long>();
var byFrame = new Dictionary<string, long>();
long total = 0;
using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0])))
{
    foreach (var traceEvent in log.Events)
    {
        if (traceEvent is not GCAllocationTickTraceData tick || (largeOnly && tick.AllocationKind != GCAllocationKind.Large)
            || (typeFilter is not null && !tick.TypeName.Contains(typeFilter, StringComparison.Ordinal)))
        {
            continue;
        }
        total += tick.AllocationAmount64;
        byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + tick.AllocationAmount64;
        var frame = "?";
        for (var call = traceEvent.CallStack(); call is not null; call = call.Caller)
        {
            var module = call.CodeAddress.ModuleName;
            if (module is not (null or "System.Private.CoreLib"))
            {
                frame = $"{module}!{call.CodeAddress.FullMethodName}";
                break;
            }
        }
        byFrame[frame] = byFrame.GetValueOrDefault(frame) + tick.AllocationAmount64;
    }
}
Print($"sampled allocations: {total / 1e6:F1} MB; by type", byType);
Print("by first frame outside System.Private.CoreLib", byFrame);
return 0;

void Print(string title, Dictionary<string, long> sums)
{
    Console.WriteLine(title);
    foreach (var (name, bytes) in sums.OrderByDescending(p => p.Value).Take(top))
    {
        Console.WriteLine($"{100.0 * bytes / Math.Max(1, total),6:F1}%  {(name.Length > 140 ? name[..140] : name)}");
    }
}
