using System.Globalization;
using System.Text;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// WireMock's <c>numberFormat</c> (Java's DecimalFormat): <c>integer</c>, <c>currency</c>, <c>percent</c> or a pattern
/// (<c>###.000000</c>), a locale (<c>en_GB</c>; en_US by default), the digit bounds, grouping and rounding mode
/// (half-even unless told, as Java's).
/// </summary>
internal static class TemplateNumbers
{
    public static object Format(TemplateHelpers.Call call)
    {
        var number = call.ToNumber(call.Arg(0), "the number");
        var style = call.Count > 1 ? call.Text(1) : null;
        var locale = Locale(call.Count > 2 ? call.Text(2) : null, call);
        int maxFraction = 3, minFraction = 0, maxInteger = int.MaxValue, minInteger = 1;
        string prefix = "", suffix = "";
        switch (style)
        {
            case null or "":
                break;
            case "integer":
                maxFraction = 0;
                break;
            case "currency":
                (maxFraction, minFraction) = (locale.CurrencyDigits, locale.CurrencyDigits);
                (prefix, suffix) = locale.CurrencyAfter ? ("", "\u00a0" + locale.Currency) : (locale.Currency, "");
                break;
            case "percent":
                number *= 100;
                (maxFraction, suffix) = (0, "%");
                break;
            default:
                // A DecimalFormat pattern: .NET's custom numeric formats read '#', '0', ',' and '.' alike.
                var dot = style.IndexOf('.');
                var fraction = dot < 0 ? 0 : style[(dot + 1)..].Count(c => c is '0' or '#');
                number = Round(number, fraction, call.Hash("roundingMode"), call);
                return string.Concat(number.ToString(style, CultureInfo.InvariantCulture)
                    .Select(c => c == ',' ? locale.Group : c == '.' ? locale.Decimal : c.ToString()));
        }
        maxFraction = Digits(call, "maximumFractionDigits") ?? maxFraction;
        minFraction = Math.Min(Digits(call, "minimumFractionDigits") ?? minFraction, 340);
        maxFraction = Math.Max(maxFraction, minFraction);
        maxInteger = Digits(call, "maximumIntegerDigits") ?? maxInteger;
        minInteger = Math.Min(Digits(call, "minimumIntegerDigits") ?? minInteger, 340);
        var grouping = call.HashValue("groupingUsed") is not (false or "false");

        number = Round(number, Math.Min(maxFraction, 28), call.Hash("roundingMode"), call);
        var negative = number < 0;
        var digits = Math.Abs(number).ToString(CultureInfo.InvariantCulture);
        var point = digits.IndexOf('.');
        var integer = point < 0 ? digits : digits[..point];
        var fractionDigits = point < 0 ? "" : digits[(point + 1)..].TrimEnd('0');
        if (integer.Length > maxInteger)
        {
            integer = integer[^maxInteger..];
        }
        integer = integer.TrimStart('0').PadLeft(minInteger, '0');
        fractionDigits = fractionDigits.PadRight(minFraction, '0');
        var text = new StringBuilder();
        for (var i = 0; i < integer.Length; i++)
        {
            if (grouping && i > 0 && (integer.Length - i) % 3 == 0)
            {
                text.Append(locale.Group);
            }
            text.Append(integer[i]);
        }
        if (fractionDigits.Length > 0)
        {
            text.Append(locale.Decimal).Append(fractionDigits);
        }
        return (negative ? "-" : "") + prefix + text + suffix;
    }

    private static int? Digits(TemplateHelpers.Call call, string name) =>
        call.HashValue(name) is { } value ? (int)Math.Clamp(call.ToLong(value, name), 0, 340) : null;

    private static decimal Round(decimal number, int digits, string? mode, TemplateHelpers.Call call)
    {
        digits = Math.Clamp(digits, 0, 28);
        return (mode ?? "half_even").ToLowerInvariant() switch
        {
            "half_even" => Math.Round(number, digits, MidpointRounding.ToEven),
            "half_up" => Math.Round(number, digits, MidpointRounding.AwayFromZero),
            "half_down" => Math.Round(number, digits, MidpointRounding.ToZero) is var down && Math.Abs(number - down) * Scale(digits) > 0.5m
                ? Math.Round(number, digits, MidpointRounding.AwayFromZero) : Math.Round(number, digits, MidpointRounding.ToZero),
            "up" => Math.Round(number, digits, MidpointRounding.AwayFromZero) is var up && Math.Abs(up) >= Math.Abs(number) ? up : up + Math.Sign(number) / Scale(digits),
            "down" => Math.Round(number, digits, MidpointRounding.ToZero),
            "ceiling" => Math.Round(number, digits, MidpointRounding.ToPositiveInfinity),
            "floor" => Math.Round(number, digits, MidpointRounding.ToNegativeInfinity),
            var other => throw call.Fail($"roundingMode '{other}' is not one of up, down, half_up, half_down, half_even, ceiling, floor"),
        };
    }

    private static decimal Scale(int digits)
    {
        var scale = 1m;
        for (var i = 0; i < digits; i++)
        {
            scale *= 10;
        }
        return scale;
    }

    /// <summary>How a locale writes numbers (as Java's CLDR data has it); the service runs without ICU, so the few are listed here.</summary>
    private sealed record NumberLocale(string Group, string Decimal, string Currency, bool CurrencyAfter, int CurrencyDigits);

    private static readonly Dictionary<string, NumberLocale> Locales = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en_US"] = new(",", ".", "$", false, 2),
        ["en_GB"] = new(",", ".", "£", false, 2),
        ["en_IE"] = new(",", ".", "€", false, 2),
        ["en_AU"] = new(",", ".", "$", false, 2),
        ["en_CA"] = new(",", ".", "$", false, 2),
        ["de_DE"] = new(".", ",", "€", true, 2),
        ["es_ES"] = new(".", ",", "€", true, 2),
        ["it_IT"] = new(".", ",", "€", true, 2),
        ["fr_FR"] = new("\u202f", ",", "€", true, 2),
    };

    private static NumberLocale Locale(string? locale, TemplateHelpers.Call call) =>
        string.IsNullOrEmpty(locale) ? Locales["en_US"]
        : Locales.TryGetValue(locale.Replace('-', '_'), out var known) ? known
        : throw call.Fail($"locale '{locale}' is not one of {string.Join(", ", Locales.Keys)}");
}
