using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using HandlebarsDotNet.ValueProviders;
using Newtonsoft.Json.Linq;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// WireMock 3's template helpers (its documentation's "Response templating" page, checked against its jar by the
/// differential tests): jknack's string and conditional helpers, assignment, numbers and math, arrays, JSON, dates,
/// encodings, regular expressions, forms, XML and random values. Not the two that read the server (<c>hostname</c>,
/// <c>systemValue</c>). Every call is a step of the render's budget, no value one makes may outgrow the answer, and
/// regular expressions run with the request's time as their timeout.
/// </summary>
internal static class TemplateHelpers
{

    /// <summary>The name and the helper: a value helper (usable in a subexpression) and/or a block helper.</summary>
    public static void Register(IHandlebars engine, Action<string> known)
    {
        void Value(string name, Func<Call, object?> helper)
        {
            engine.RegisterHelper(name, (in HelperOptions _, in Context context, in Arguments arguments) =>
            {
                RenderBudget.Step();
                object? result;
                try
                {
                    result = helper(new Call(name, arguments));
                }
                catch (FormatException problem)
                {
                    throw new TemplateException($"{name}: {problem.Message}"); // a date's format, offset, zone or truncation
                }
                if (result is string text)
                {
                    RenderBudget.Produce(text.Length);
                }
                return result;
            });
            known(name);
        }
        void Block(string name, Action<EncodedTextWriter, BlockHelperOptions, Context, Call> helper)
        {
            engine.RegisterHelper(name, (EncodedTextWriter output, BlockHelperOptions options, Context context, Arguments arguments) =>
            {
                RenderBudget.Step();
                helper(output, options, context, new Call(name, arguments));
            });
            known(name);
        }
        // A block helper that is the value helper applied to its rendered content (last argument).
        void ContentBlock(string name, Func<Call, object?> helper) =>
            Block(name, (output, options, _, call) => output.Write(TemplateText.Of(helper(call.WithContent(options.Template()))), false));
        // A block helper that renders its block when the value helper is true, else its {{else}}.
        void Condition(string name, Func<Call, bool> test)
        {
            Value(name, call => test(call));
            Block(name, (output, options, context, call) =>
            {
                if (test(call))
                {
                    options.Template(output, context);
                }
                else
                {
                    options.Inverse(output, context);
                }
            });
        }

        // --- strings (jknack's StringHelpers) ------------------------------------------------------------------------
        Value("capitalize", call => Capitalize(call.Text(0), call.Flag("fully")));
        Value("capitalizeFirst", call => call.Text(0) is { Length: > 0 } s ? char.ToUpperInvariant(s[0]) + s[1..] : "");
        Value("upper", call => call.Text(0).ToUpperInvariant());
        Value("lower", call => call.Text(0).ToLowerInvariant());
        Value("abbreviate", call =>
        {
            var (text, width) = (call.Text(0), call.Int(1, "width"));
            return width < 4 ? throw call.Fail("the width must be at least 4") : text.Length <= width ? text : text[..(width - 3)] + "...";
        });
        Value("replace", call =>
        {
            var (text, target, replacement) = (call.Text(0), call.Text(1), call.Text(2));
            if (target.Length == 0)
            {
                return text;
            }
            var count = (text.Length - text.Replace(target, "", StringComparison.Ordinal).Length) / target.Length;
            RenderBudget.Produce(text.Length + (long)count * (replacement.Length - target.Length));
            return text.Replace(target, replacement, StringComparison.Ordinal);
        });
        Value("substring", call =>
        {
            var text = call.Text(0);
            var start = Math.Clamp(call.Int(1, "start"), 0, text.Length);
            var end = call.Count > 2 ? Math.Clamp(call.Int(2, "end"), start, text.Length) : text.Length;
            return text[start..end];
        });
        Value("defaultIfEmpty", call => call.Text(0) is { Length: > 0 } s ? call.Arg(0) : call.Arg(1));
        Value("join", call =>
        {
            if (call.Count < 2)
            {
                throw call.Fail("needs the values and a separator: {{join 'a' 'b' ', '}}");
            }
            var items = Spread(call, 0, call.Count - 1);
            return call.Hash("prefix") + Joined(call.Text(call.Count - 1), items.Select(TemplateText.Of)) + call.Hash("suffix");
        });
        Value("slugify", call => Regex.Replace(Regex.Replace(call.Text(0).Trim().ToLowerInvariant(), @"[^a-z0-9\s-]", "", RegexOptions.None, TimeSpan.FromSeconds(1)), @"[\s-]+", "-", RegexOptions.None, TimeSpan.FromSeconds(1)));
        Value("stripTags", call => Regex.Replace(call.Text(0), "<[^>]*>", "", RegexOptions.None, TimeSpan.FromSeconds(1)));
        Value("cut", call => call.Text(0).Replace(call.Count > 1 ? call.Text(1) : " ", "", StringComparison.Ordinal));
        Value("ljust", call => Pad(call, (text, size, pad) => text + pad[..(size - text.Length)]));
        Value("rjust", call => Pad(call, (text, size, pad) => pad[..(size - text.Length)] + text));
        Value("center", call => Pad(call, (text, size, pad) =>
        {
            var left = (size - text.Length) / 2;
            return pad[..left] + text + pad[..(size - text.Length - left)];
        }));
        Value("yesno", call => call.Arg(0) switch
        {
            true => call.Hash("yes") ?? "yes",
            false => call.Hash("no") ?? "no",
            null => call.Hash("maybe") ?? "maybe",
            var other => throw call.Fail($"takes true or false, not '{TemplateText.Of(other)}'"),
        });
        Value("trim", call => call.Text(0).Trim());
        ContentBlock("trim", call => call.Text(0).Trim());

        // --- conditions (jknack's ConditionalHelpers) ---------------------------------------------------------------
        Condition("eq", call => Same(call.Arg(0), call.Arg(1)));
        Condition("neq", call => !Same(call.Arg(0), call.Arg(1)));
        Condition("gt", call => Compare(call, c => c > 0));
        Condition("gte", call => Compare(call, c => c >= 0));
        Condition("lt", call => Compare(call, c => c < 0));
        Condition("lte", call => Compare(call, c => c <= 0));
        Condition("and", call => call.Count > 0 && Enumerable.Range(0, call.Count).All(i => HandlebarsUtils.IsTruthy(call.Arg(i))));
        Condition("or", call => Enumerable.Range(0, call.Count).Any(i => HandlebarsUtils.IsTruthy(call.Arg(i))));
        Condition("not", call => !HandlebarsUtils.IsTruthy(call.Arg(0)));
        Condition("contains", call => call.Arg(0) switch
        {
            TemplateValues { AsList: { } items } => items.Any(item => Same(item, call.Arg(1))),
            TemplateValues { AsMap: { } map } => map.ContainsKey(call.Text(1)),
            var text => TemplateText.Of(text).Contains(call.Text(1), StringComparison.Ordinal),
        });
        Condition("matches", call => SafeRegex.IsMatch(Pattern(call, 1, anchored: true), call.Text(0), RenderBudget.Work));

        // --- assignment ----------------------------------------------------------------------------------------------
        Block("assign", (_, options, _, call) => TemplateVariables.Set(call.Text(0), options.Template().Trim()));
        Value("val", call =>
        {
            var value = call.Arg(0) ?? call.HashValue("or") ?? call.HashValue("default");
            if (call.Hash("assign") is { Length: > 0 } name)
            {
                TemplateVariables.Set(name, value);
                return "";
            }
            return value;
        });

        // --- numbers ----------------------------------------------------------------------------------------------
        Value("isOdd", call => call.Long(0) % 2 != 0 ? call.Count > 1 ? call.Text(1) : "odd" : "");
        Value("isEven", call => call.Long(0) % 2 == 0 ? call.Count > 1 ? call.Text(1) : "even" : "");
        Value("stripes", call => call.Long(0) % 2 == 0 ? call.Text(1) : call.Text(2));
        Value("math", Arithmetic);
        Value("numberFormat", TemplateNumbers.Format);
        Value("randomInt", call =>
        {
            var lower = call.HashValue("lower") is { } l ? call.ToLong(l, "lower") : int.MinValue;
            var upper = call.HashValue("upper") is { } u ? call.ToLong(u, "upper") : int.MaxValue;
            return upper <= lower ? throw call.Fail("upper must be greater than lower") : (object)Random.Shared.NextInt64(lower, upper);
        });
        Value("randomDecimal", call =>
        {
            var lower = call.HashValue("lower") is { } l ? (double)call.ToNumber(l, "lower") : double.MinValue / 2;
            var upper = call.HashValue("upper") is { } u ? (double)call.ToNumber(u, "upper") : double.MaxValue / 2;
            return upper <= lower ? throw call.Fail("upper must be greater than lower") : lower + Random.Shared.NextDouble() * (upper - lower);
        });

        // --- arrays ------------------------------------------------------------------------------------------------
        Value("array", call => TemplateValues.Items(Enumerable.Range(0, call.Count).Select(call.Arg).ToArray()));
        Value("range", call =>
        {
            var (from, to) = (call.Long(0), call.Long(1));
            var count = to - from + 1;
            if (count <= 0)
            {
                return TemplateValues.Items([]);
            }
            RenderBudget.Step((int)Math.Min(count, 1_000_000_000)); // past the step budget before anything is made
            return TemplateValues.Items(Enumerable.Range(0, (int)count).Select(i => (object?)(from + i)).ToArray());
        });
        Value("arrayAdd", call =>
        {
            var items = call.List(0).ToList();
            items.Insert(Position(call, items.Count, adding: true), call.Arg(1));
            return TemplateValues.Items(items.ToArray());
        });
        Value("arrayRemove", call =>
        {
            var items = call.List(0).ToList();
            if (items.Count > 0)
            {
                items.RemoveAt(Position(call, items.Count, adding: false));
            }
            return TemplateValues.Items(items.ToArray());
        });
        Value("arrayJoin", call => call.Hash("prefix") + Joined(call.Text(0), Spread(call, 1, call.Count).Select(TemplateText.Of)) + call.Hash("suffix"));
        Block("arrayJoin", (output, options, context, call) =>
        {
            // Written straight to the output (whose size is the render's budget), the separator between items.
            output.Write(call.Hash("prefix") ?? "", false);
            var first = true;
            foreach (var item in Spread(call, 1, call.Count))
            {
                RenderBudget.Step();
                if (!first)
                {
                    output.Write(call.Text(0), false);
                }
                first = false;
                // The item is the block's context, or its block parameter ({{#arrayJoin ',' list as |item|}}).
                using var frame = options.CreateFrame(options.BlockVariables.Length > 0 ? context.Value : item);
                if (options.BlockVariables.Length > 0)
                {
                    new BlockParamsValues(frame, options.BlockVariables)[0] = item;
                }
                options.Template(output, frame);
            }
            output.Write(call.Hash("suffix") ?? "", false);
        });
        Value("pickRandom", call =>
        {
            var items = Spread(call, 0, call.Count).ToArray();
            if (items.Length == 0)
            {
                throw call.Fail("needs something to pick from");
            }
            if (call.HashValue("count") is not { } count)
            {
                return items[Random.Shared.Next(items.Length)];
            }
            var picked = items.ToArray();
            Random.Shared.Shuffle(picked);
            return TemplateValues.Items(picked.Take((int)Math.Clamp(call.ToLong(count, "count"), 0, picked.Length)).ToArray());
        });
        Value("size", call => call.Arg(0) switch
        {
            TemplateValues { IsOneOrMany: true, AsList: { } values } => values.Length,
            TemplateValues { AsList: { } items } => items.Length,
            TemplateValues { AsMap: { } map } => map.Count,
            null => 0,
            var value => TemplateText.Of(value).Length,
        });

        // --- encodings, regular expressions, forms -----------------------------------------------------------------
        Value("base64", Base64);
        ContentBlock("base64", Base64);
        Value("urlEncode", UrlEncode);
        ContentBlock("urlEncode", UrlEncode);
        Value("regexExtract", call =>
        {
            var regex = Pattern(call, 1, anchored: false);
            var input = call.Text(0);
            RenderBudget.Step(1 + input.Length / 1024);
            var match = SafeRegex.Run(RenderBudget.Work, () => regex.Match(input), "regexExtract's pattern ran too long");
            var name = call.Count > 2 ? call.Text(2) : null;
            if (!match.Success || (name is not null && match.Groups.Count < 2))
            {
                return call.HashValue("default") ?? $"[ERROR: Nothing matched {call.Text(1)}]";
            }
            if (name is null)
            {
                return match.Value;
            }
            TemplateVariables.Set(name, TemplateValues.Items(match.Groups.Cast<Group>().Skip(1).Select(g => (object?)g.Value).ToArray()));
            return "";
        });
        Value("formData", FormData);
        Block("formData", (_, _, _, call) => FormData(call));

        // --- JSON ----------------------------------------------------------------------------------------------------
        Value("jsonPath", call =>
        {
            var json = TemplateJson.Read(call.Arg(0) ?? "", "jsonPath");
            var token = JsonPathQuery.Select(json, call.Text(1), RenderBudget.Work).FirstOrDefault();
            return token is null or { Type: JTokenType.Null } ? call.HashValue("default") ?? ""
                : token is JObject ? TemplateJson.Pretty(token) : JsonPathQuery.Text(token);
        });
        Value("parseJson", call => ParseJson(call, call.Arg(0), call.Count > 1 ? call.Text(1) : null));
        Block("parseJson", (_, options, _, call) => ParseJson(call, options.Template(), call.Count > 0 ? call.Text(0) : null));
        Value("toJson", call => TemplateJson.Pretty(TemplateJson.ToJson(call.Arg(0))));
        Value("formatJson", call => FormatJson(call, call.Arg(0)));
        Block("formatJson", (output, options, _, call) => output.Write(FormatJson(call, options.Template()), false));
        Value("jsonArrayAdd", call => JsonArrayAdd(call, call.Arg(1)));
        Block("jsonArrayAdd", (output, options, _, call) => output.Write(JsonArrayAdd(call, options.Template()), false));
        Value("jsonMerge", call => JsonMerge(call, call.Arg(1)));
        Block("jsonMerge", (output, options, _, call) => output.Write(JsonMerge(call, options.Template()), false));
        Value("jsonRemove", call =>
        {
            var json = TemplateJson.Read(call.Arg(0), "jsonRemove").DeepClone();
            foreach (var token in JsonPathQuery.Select(json, call.Text(1), RenderBudget.Work).ToList())
            {
                (token.Parent is JProperty property ? property : token).Remove();
            }
            return TemplateJson.Compact(json);
        });

        // --- dates ---------------------------------------------------------------------------------------------------
        Value("now", call =>
        {
            var now = DateTimeOffset.UtcNow;
            if (call.Hash("offset") is { Length: > 0 } offset)
            {
                now = JavaDates.Offset(now, offset);
            }
            return FormatDate(JavaDates.InZone(now, call.Hash("timezone")), call.Hash("format"));
        });
        Value("parseDate", call =>
        {
            var text = call.Text(0);
            return JavaDates.Parse(text, call.Hash("format")) is { } date
                ? new TemplateDate(date)
                : throw call.Fail($"'{text}' is not a date{(call.Hash("format") is { } f ? $" in the format '{f}'" : " (ISO 8601, RFC 1123, RFC 1036 or asctime)")}");
        });
        Value("date", call => FormatDate(JavaDates.InZone(call.Date(0), call.Hash("timezone")), call.Hash("format")));
        Value("dateFormat", call =>
        {
            var format = call.Hash("format") ?? (call.Count > 1 ? call.Text(1) : "medium");
            return FormatDate(JavaDates.InZone(call.Date(0), call.Hash("tz")), format switch
            {
                "full" => "EEEE, MMMM d, yyyy",
                "long" => "MMMM d, yyyy",
                "medium" => "MMM d, yyyy",
                "short" => "M/d/yy",
                _ => format,
            });
        });
        Value("truncateDate", call => new TemplateDate(JavaDates.Truncate(call.Date(0), call.Text(1))));

        // --- random values and XML -----------------------------------------------------------------------------------
        Value("randomValue", RandomValue);
        Value("xPath", call => TemplateXml.Select(call.Text(0), call.Text(1), soap: false));
        Value("soapXPath", call => TemplateXml.Select(call.Text(0), call.Text(1), soap: true));
    }

    /// <summary>string.Join, with its length checked before it is built (a long separator repeats).</summary>
    private static string Joined(string separator, IEnumerable<string> items)
    {
        var list = items.ToList();
        RenderBudget.Produce(list.Sum(i => (long)i.Length) + (long)separator.Length * Math.Max(0, list.Count - 1));
        return string.Join(separator, list);
    }

    private static string FormatDate(DateTimeOffset date, string? format) => format switch
    {
        null or "" => new TemplateDate(date).ToString(),
        "epoch" => date.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        "unix" => date.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        _ => JavaDates.Format(date, format),
    };

    private static string Capitalize(string text, bool fully)
    {
        var result = new StringBuilder(text.Length);
        var start = true;
        foreach (var c in text)
        {
            result.Append(start ? char.ToUpperInvariant(c) : fully ? char.ToLowerInvariant(c) : c);
            start = char.IsWhiteSpace(c);
        }
        return result.ToString();
    }

    private static string Pad(Call call, Func<string, int, string, string> pad)
    {
        var text = call.Text(0);
        var size = call.HashValue("size") is { } s ? (int)call.ToLong(s, "size") : throw call.Fail("needs size=, e.g. size=10");
        if (size <= text.Length)
        {
            return text;
        }
        RenderBudget.Produce(size);
        var padding = call.Hash("pad") is { Length: > 0 } p ? p[0] : ' ';
        return pad(text, size, new string(padding, size));
    }

    /// <summary>Equal as Java's equals is: numbers by value, strings exactly; a one-or-many value is not its first string.</summary>
    internal static bool Same(object? a, object? b)
    {
        if (Numeric(a) is { } x && Numeric(b) is { } y)
        {
            return x == y && (a is string) == (b is string);
        }
        return a switch
        {
            null => b is null,
            string s => b is string t && s == t,
            TemplateValues { IsOneOrMany: true } => ReferenceEquals(a, b),
            _ => a.Equals(b) || (a is not TemplateValues && TemplateText.Of(a) == TemplateText.Of(b) && a.GetType() == b?.GetType()),
        };
    }

    private static decimal? Numeric(object? value) => value switch
    {
        int i => i,
        long l => l,
        double d when !double.IsNaN(d) && !double.IsInfinity(d) && System.Math.Abs(d) < 7.9e28 => (decimal)d,
        decimal m => m,
        string s when decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static bool Compare(Call call, Func<int, bool> test)
    {
        var (a, b) = (call.Arg(0), call.Arg(1));
        int? order = (a, b) switch
        {
            (string s, string t) => string.CompareOrdinal(s, t),
            (TemplateDate d, TemplateDate e) => d.Value.CompareTo(e.Value),
            _ when a is not string && b is not string && Numeric(a) is { } x && Numeric(b) is { } y => x.CompareTo(y),
            _ => null,
        };
        return order is { } o && test(o);
    }

    private static object Arithmetic(Call call)
    {
        if (call.Count < 3)
        {
            throw call.Fail("needs two numbers and an operator: {{math 1 '+' 2}}");
        }
        var op = call.Text(1);
        var (a, b) = (call.Arg(0), call.Arg(2));
        if (Integer(a) is { } x && Integer(b) is { } y)
        {
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" or "x" => x * y,
                "/" when y == 0 => throw call.Fail("divides by zero"),
                "/" => x / y,
                "%" when y == 0 => throw call.Fail("divides by zero"),
                "%" => x % y,
                _ => throw call.Fail($"'{op}' is not one of + - * x / %"),
            };
        }
        var (m, n) = (call.ToNumber(a, "the first number"), call.ToNumber(b, "the second number"));
        try
        {
            return op switch
            {
                "+" => m + n,
                "-" => m - n,
                "*" or "x" => m * n,
                "/" or "%" when n == 0 => throw call.Fail("divides by zero"),
                "/" => m / n,
                "%" => m % n,
                _ => throw call.Fail($"'{op}' is not one of + - * x / %"),
            };
        }
        catch (OverflowException)
        {
            throw call.Fail("the result is too large");
        }
    }

    private static long? Integer(object? value) => value switch
    {
        int i => i,
        long l => l,
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        TemplateValues { IsOneOrMany: true } one => Integer(one.ToString()),
        _ => null,
    };

    private static int Position(Call call, int count, bool adding) => call.HashValue("position") switch
    {
        null or "end" => adding ? count : count - 1,
        "start" => 0,
        var p => Math.Clamp((int)call.ToLong(p, "position"), 0, adding ? count : count - 1),
    };

    /// <summary>Arguments from..to, a single list among them spread into its items (<c>arrayJoin ',' (array 1 2)</c>).</summary>
    private static IEnumerable<object?> Spread(Call call, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (call.Arg(i) is TemplateValues { AsList: { } items })
            {
                RenderBudget.Step(items.Length);
                foreach (var item in items)
                {
                    yield return item;
                }
            }
            else
            {
                yield return call.Arg(i);
            }
        }
    }

    private static Regex Pattern(Call call, int index, bool anchored)
    {
        var pattern = call.Text(index);
        try
        {
            return SafeRegex.CreateCached(anchored ? $"^(?:{pattern})$" : pattern, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException exception)
        {
            throw call.Fail($"'{pattern}' is not a regular expression: {exception.Message}");
        }
    }

    private static string Base64(Call call)
    {
        var text = call.Text(0);
        if (call.Flag("decode"))
        {
            var trimmed = text.Trim();
            var padded = trimmed.PadRight(trimmed.Length + (4 - trimmed.Length % 4) % 4, '=');
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            }
            catch (FormatException)
            {
                throw call.Fail("the value is not base64");
            }
        }
        RenderBudget.Produce(text.Length * 4L / 3 + 4);
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        return call.HashValue("padding") is false or "false" ? encoded.TrimEnd('=') : encoded;
    }

    /// <summary>As Java's URLEncoder and URLDecoder (UTF-8): a space is '+', only letters, digits and .-*_ stay as they are.</summary>
    private static string UrlEncode(Call call)
    {
        var text = call.Text(0);
        if (call.Flag("decode"))
        {
            return System.Web.HttpUtility.UrlDecode(text, Encoding.UTF8);
        }
        RenderBudget.Produce(text.Length * 9L);
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'-' or (byte)'*' or (byte)'_')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append(b == ' ' ? "+" : $"%{b:X2}");
            }
        }
        return encoded.ToString();
    }

    private static string FormData(Call call)
    {
        var text = call.Text(0);
        var name = call.Count > 1 ? call.Text(1) : throw call.Fail("needs the input and a variable name: {{formData request.body 'form'}}");
        var decode = call.Flag("urlDecode");
        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            RenderBudget.Step();
            var at = pair.IndexOf('=');
            var (key, value) = at < 0 ? (pair, "") : (pair[..at], pair[(at + 1)..]);
            if (decode)
            {
                (key, value) = (System.Web.HttpUtility.UrlDecode(key), System.Web.HttpUtility.UrlDecode(value));
            }
            (fields.TryGetValue(key, out var values) ? values : fields[key] = []).Add(value);
        }
        TemplateVariables.Set(name, TemplateValues.Map(fields.ToDictionary(p => p.Key, p => (object?)TemplateValues.OneOrMany(p.Value))));
        return "";
    }

    private static object? ParseJson(Call call, object? input, string? name)
    {
        var value = TemplateJson.ToValue(TemplateJson.Read(input is string s ? s.Trim() : input, "parseJson"));
        if (name is null)
        {
            return value;
        }
        TemplateVariables.Set(name, value);
        return "";
    }

    private static string FormatJson(Call call, object? input)
    {
        var json = TemplateJson.Read(input is string s ? s.Trim() : input, "formatJson");
        return call.Hash("format") switch
        {
            null or "pretty" => TemplateJson.Pretty(json),
            "compact" => TemplateJson.Compact(json),
            var other => throw call.Fail($"format '{other}' is not one of pretty, compact"),
        };
    }

    private static string JsonArrayAdd(Call call, object? item)
    {
        var array = TemplateJson.Read(call.Arg(0), "jsonArrayAdd").DeepClone();
        var target = call.Hash("jsonPath") is { } path ? JsonPathQuery.Select(array, path, RenderBudget.Work).FirstOrDefault() : array;
        if (target is not JArray list)
        {
            throw call.Fail("the target is not a JSON array");
        }
        var addition = TemplateJson.Read(item is string s ? s.Trim() : item, "jsonArrayAdd");
        if (call.Flag("flatten") && addition is JArray many)
        {
            foreach (var element in many)
            {
                list.Add(element.DeepClone());
            }
        }
        else
        {
            list.Add(addition.DeepClone());
        }
        if (call.HashValue("maxItems") is { } max)
        {
            var keep = (int)Math.Max(0, call.ToLong(max, "maxItems"));
            while (list.Count > keep)
            {
                list.RemoveAt(0);
            }
        }
        return TemplateJson.Compact(array);
    }

    private static string JsonMerge(Call call, object? addition) =>
        TemplateJson.Compact(TemplateJson.Merge(TemplateJson.Read(call.Arg(0), "jsonMerge"),
            TemplateJson.Read(addition is string s ? s.Trim() : addition, "jsonMerge"), call.Flag("removeNulls")));

    private static string RandomValue(Call call)
    {
        var type = (call.Hash("type") ?? "ALPHANUMERIC").ToUpperInvariant();
        var length = call.HashValue("length") is { } l ? (int)Math.Clamp(call.ToLong(l, "length"), 1, 1000) : 36;
        var alphabet = type switch
        {
            "UUID" => null,
            "ALPHANUMERIC" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            "ALPHABETIC" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "NUMERIC" => "0123456789",
            "HEXADECIMAL" => "0123456789abcdef",
            "ALPHANUMERIC_AND_SYMBOLS" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~",
            _ => throw call.Fail($"type '{type}' is not one of ALPHANUMERIC, ALPHABETIC, NUMERIC, HEXADECIMAL, ALPHANUMERIC_AND_SYMBOLS, UUID"),
        };
        var value = alphabet is null ? Guid.NewGuid().ToString() : RandomNumberGenerator.GetString(alphabet, length);
        return call.Flag("uppercase") ? value.ToUpperInvariant() : value;
    }

    /// <summary>One call of a helper: its positional arguments (without the hash) and its hash.</summary>
    internal readonly struct Call(string helper, Arguments arguments, string? content = null)
    {
        public int Count => arguments.Length - (arguments.Hash.Count > 0 ? 1 : 0) + (content is null ? 0 : 1);

        /// <summary>The argument, null when absent or unresolved (<c>request.query.none</c>).</summary>
        public object? Arg(int index) =>
            content is not null && index == Count - 1 ? content : index < Count && arguments[index] is not UndefinedBindingResult ? arguments[index] : null;

        public Call WithContent(string rendered) => new(helper, arguments, rendered);

        public string Text(int index) => TemplateText.Of(Arg(index));

        public object? HashValue(string name) => arguments.Hash.TryGetValue(name, out var value) ? value : null;

        public string? Hash(string name) => HashValue(name) is { } value ? TemplateText.Of(value) : null;

        public bool Flag(string name) => HashValue(name) is true or "true";

        public long Long(int index) => ToLong(Arg(index), $"argument {index + 1}");

        public int Int(int index, string what) => (int)System.Math.Clamp(ToLong(Arg(index), what), int.MinValue, int.MaxValue);

        public long ToLong(object? value, string what) => Integer(value) ?? (long)ToNumber(value, what);

        public decimal ToNumber(object? value, string what) =>
            Numeric(value is TemplateValues { IsOneOrMany: true } one ? one.ToString() : value) ?? throw Fail($"{what} ('{TemplateText.Of(value)}') is not a number");

        public IEnumerable<object?> List(int index) => Arg(index) switch
        {
            TemplateValues { AsList: { } items } => items,
            string text when text.TrimStart().StartsWith('[') => TemplateJson.ToValue(TemplateJson.Parse(text, helper)) is TemplateValues { AsList: { } parsed } ? parsed : [],
            var other => throw Fail($"argument {index + 1} ('{TemplateText.Of(other)}') is not a list"),
        };

        public DateTimeOffset Date(int index) => Arg(index) switch
        {
            TemplateDate date => date.Value,
            var other when JavaDates.Parse(TemplateText.Of(other), null) is { } parsed => parsed,
            var other => throw Fail($"'{TemplateText.Of(other)}' is not a date; make one with parseDate"),
        };

        public TemplateException Fail(string why) => new($"{helper}: {why}");
    }
}

/// <summary>
/// A template's variables (<c>assign</c>, <c>val … assign=</c>, <c>parseJson … 'name'</c>, <c>formData</c>,
/// <c>regexExtract … 'name'</c>): set on the model's root, so <c>{{name}}</c> reads them as WireMock's templates do.
/// A render runs on one thread; the root of the running render is kept per thread.
/// </summary>
internal static class TemplateVariables
{
    [ThreadStatic]
    private static Dictionary<string, object?>? t_root;

    public static T With<T>(Dictionary<string, object?> root, Func<T> render)
    {
        var outer = t_root;
        t_root = root;
        try
        {
            return render();
        }
        finally
        {
            t_root = outer;
        }
    }

    public static void Set(string name, object? value)
    {
        if (t_root is null)
        {
            return;
        }
        if (name is "request" or "parameters" || name.Length == 0)
        {
            throw new TemplateException($"a variable may not be called '{name}'");
        }
        if (!t_root.ContainsKey(name) && t_root.Count > 256)
        {
            throw new TemplateException("a template may set at most 256 variables");
        }
        t_root[name] = value;
    }
}
