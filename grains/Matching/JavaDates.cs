using System.Globalization;
using System.Text;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// Dates as WireMock's templates read and write them: Java's SimpleDateFormat letters (<c>yyyy-MM-dd HH:mm:ssZ</c>,
/// <c>EEE</c>, <c>SSS</c>, <c>XXX</c>, quoted text), IANA time zones, <c>now</c>'s offsets (<c>3 days</c>), the parsing
/// <c>parseDate</c> does (ISO 8601, RFC 1123, RFC 1036, asctime, a given format, <c>unix</c>, <c>epoch</c>) and the
/// truncations of <c>truncateDate</c>.
/// </summary>
public static class JavaDates
{
    public static string Format(DateTimeOffset date, string pattern)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pattern.Length;)
        {
            var c = pattern[i];
            if (c == '\'')
            {
                var end = pattern.IndexOf('\'', i + 1);
                if (end == i + 1)
                {
                    text.Append('\''); // '' is a quote
                    i += 2;
                    continue;
                }
                end = end < 0 ? pattern.Length : end;
                text.Append(pattern, i + 1, end - i - 1);
                i = end + 1;
                continue;
            }
            if (!char.IsAsciiLetter(c))
            {
                text.Append(c);
                i++;
                continue;
            }
            var count = 1;
            while (i + count < pattern.Length && pattern[i + count] == c)
            {
                count++;
            }
            text.Append(Field(date, c, count));
            i += count;
        }
        return text.ToString();
    }

    private static string Field(DateTimeOffset date, char letter, int count)
    {
        string Number(int value) => value.ToString(new string('0', count), CultureInfo.InvariantCulture);
        var offset = date.Offset;
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var hours = Math.Abs(offset.Hours).ToString("00", CultureInfo.InvariantCulture);
        var minutes = Math.Abs(offset.Minutes).ToString("00", CultureInfo.InvariantCulture);
        return letter switch
        {
            'G' => date.Year > 0 ? "AD" : "BC",
            'y' or 'Y' => count == 2 ? (date.Year % 100).ToString("00", CultureInfo.InvariantCulture) : Number(date.Year),
            'M' or 'L' => count switch
            {
                1 or 2 => Number(date.Month),
                3 => date.ToString("MMM", CultureInfo.InvariantCulture),
                _ => date.ToString("MMMM", CultureInfo.InvariantCulture),
            },
            'd' => Number(date.Day),
            'D' => Number(date.DayOfYear),
            'E' => count <= 3 ? date.ToString("ddd", CultureInfo.InvariantCulture) : date.ToString("dddd", CultureInfo.InvariantCulture),
            'u' => Number(date.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)date.DayOfWeek),
            'a' => date.Hour < 12 ? "AM" : "PM",
            'H' => Number(date.Hour),
            'k' => Number(date.Hour == 0 ? 24 : date.Hour),
            'K' => Number(date.Hour % 12),
            'h' => Number(date.Hour % 12 == 0 ? 12 : date.Hour % 12),
            'm' => Number(date.Minute),
            's' => Number(date.Second),
            'S' => (date.Millisecond * (int)Math.Pow(10, Math.Max(0, count - 3)) / (int)Math.Pow(10, Math.Max(0, 3 - count))).ToString(new string('0', count), CultureInfo.InvariantCulture),
            'z' => offset == TimeSpan.Zero ? "UTC" : $"GMT{sign}{hours}:{minutes}",
            'Z' => $"{sign}{hours}{minutes}",
            'X' => offset == TimeSpan.Zero ? "Z" : count switch
            {
                1 => $"{sign}{hours}",
                2 => $"{sign}{hours}{minutes}",
                _ => $"{sign}{hours}:{minutes}",
            },
            'w' => Number(ISOWeek.GetWeekOfYear(date.DateTime)),
            _ => throw new FormatException($"date format letter '{letter}' is not supported; use letters of Java's SimpleDateFormat such as yyyy-MM-dd'T'HH:mm:ss"),
        };
    }

    /// <summary>A Java date pattern as .NET's, for parsing with it.</summary>
    private static string ToDotNet(string pattern)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pattern.Length;)
        {
            var c = pattern[i];
            if (c == '\'')
            {
                var end = pattern.IndexOf('\'', i + 1);
                end = end < 0 ? pattern.Length : end;
                text.Append('\'').Append(pattern, i + 1, end - i - 1).Append('\'');
                i = end + 1;
                continue;
            }
            var count = 1;
            while (i + count < pattern.Length && pattern[i + count] == c)
            {
                count++;
            }
            text.Append(c switch
            {
                'y' => count == 2 ? "yy" : "yyyy",
                'M' => new string('M', Math.Min(count, 4)),
                'd' => count == 1 ? "%d" : "dd",
                'E' => count <= 3 ? "ddd" : "dddd",
                'a' => "tt",
                'H' => count == 1 ? "%H" : "HH",
                'h' => count == 1 ? "%h" : "hh",
                'm' => count == 1 ? "%m" : "mm",
                's' => count == 1 ? "%s" : "ss",
                'S' => new string('f', Math.Min(count, 7)),
                'Z' or 'X' or 'z' => "zzz",
                _ when char.IsAsciiLetter(c) => throw new FormatException($"date format letter '{c}' is not supported for parsing"),
                _ => c is '/' or ':' or '%' or '\\' ? "\\" + c : c.ToString(),
            });
            i += count;
        }
        return text.ToString();
    }

    private static readonly string[] KnownFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd",
        "r", // RFC 1123
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'", // RFC 1036
        "ddd MMM d HH:mm:ss yyyy", "ddd MMM  d HH:mm:ss yyyy", // asctime
    ];

    /// <summary>parseDate: ISO 8601, RFC 1123, RFC 1036 and asctime, or the given format (also <c>unix</c> and <c>epoch</c>).</summary>
    public static DateTimeOffset? Parse(string text, string? format)
    {
        text = text.Trim();
        switch (format)
        {
            case "unix":
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && Math.Abs(seconds) < 253402300799
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
            case "epoch":
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var millis) && Math.Abs(millis) < 253402300799999
                    ? DateTimeOffset.FromUnixTimeMilliseconds(millis) : null;
            case { Length: > 0 }:
                return DateTimeOffset.TryParseExact(text, ToDotNet(format), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var custom)
                    ? custom : null;
        }
        return DateTimeOffset.TryParseExact(text, KnownFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var known)
            ? known : null;
    }

    public static DateTimeOffset Offset(DateTimeOffset date, string offset)
    {
        var parts = offset.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
        {
            throw new FormatException($"offset '{offset}' should read like '3 days' or '-2 hours'");
        }
        try
        {
            return parts[1].TrimEnd('s').ToLowerInvariant() switch
            {
                "second" => date.AddSeconds(amount),
                "minute" => date.AddMinutes(amount),
                "hour" => date.AddHours(amount),
                "day" => date.AddDays(amount),
                "week" => date.AddDays(7.0 * amount),
                "month" => date.AddMonths(amount),
                "year" => date.AddYears(amount),
                _ => throw new FormatException($"offset unit '{parts[1]}' is not one of seconds, minutes, hours, days, weeks, months, years"),
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FormatException($"offset '{offset}' moves the date out of the years 1 to 9999");
        }
    }

    public static DateTimeOffset InZone(DateTimeOffset date, string? zone)
    {
        if (string.IsNullOrEmpty(zone))
        {
            return date;
        }
        try
        {
            return TimeZoneInfo.ConvertTime(date, TimeZoneInfo.FindSystemTimeZoneById(zone));
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"timezone '{zone}' is not known; use an IANA name such as 'Europe/London' or 'UTC'");
        }
    }

    public static readonly string[] Truncations =
    [
        "first minute of hour", "first hour of day", "first day of month", "first day of next month", "last day of month",
        "first day of year", "first day of next year", "last day of year",
    ];

    public static DateTimeOffset Truncate(DateTimeOffset date, string truncation)
    {
        var day = new DateTimeOffset(date.Year, date.Month, date.Day, 0, 0, 0, date.Offset);
        var month = day.AddDays(1 - date.Day);
        var year = month.AddMonths(1 - date.Month);
        return truncation switch
        {
            "first minute of hour" => new DateTimeOffset(date.Year, date.Month, date.Day, date.Hour, 0, 0, date.Offset),
            "first hour of day" => day,
            "first day of month" => month,
            "first day of next month" => month.AddMonths(1),
            "last day of month" => month.AddMonths(1).AddDays(-1),
            "first day of year" => year,
            "first day of next year" => year.AddYears(1),
            "last day of year" => year.AddYears(1).AddDays(-1),
            _ => throw new FormatException($"truncation '{truncation}' is not one of {string.Join(", ", Truncations)}"),
        };
    }
}
