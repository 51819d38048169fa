using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansMock.Silo.Storage;

/// <summary>
/// Gives the embedded store's freed space back to the file system: every half minute, a database with more than a
/// megabyte of free pages (a deleted project's endpoints, records and journal) is vacuumed incrementally, so the data
/// folder shrinks after deletes instead of only ever growing.
/// </summary>
public sealed partial class SqliteSpaceReclaimer(IReadOnlyList<SqliteDatabase> databases, ILogger<SqliteSpaceReclaimer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var database in databases)
            {
                try
                {
                    var freed = await Task.Run(() => database.Reclaim(), stoppingToken);
                    if (freed > 0)
                    {
                        LogReclaimed(logger, freed, database.FullPath);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogFailed(logger, exception, database.FullPath); // tried again next time
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gave {Pages} free pages of {Path} back to the file system")]
    private static partial void LogReclaimed(ILogger logger, long pages, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reclaiming free space of {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}
