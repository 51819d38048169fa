using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using OrleansMock.Grains.Matching;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// JSON in templates as WireMock has it: parsed JSON becomes template values (maps and lists a template can index and
/// loop over, within the render's budget), template values become JSON, and JSON is printed as WireMock's Jackson
/// prints it (<c>{\n  "a" : 1\n}</c>, arrays on one line <c>[ 1, 2 ]</c>) or compact.
/// </summary>
internal static class TemplateJson
{
    /// <summary>Parses JSON text; parsing is a step per KB of the render's budget.</summary>
    public static JToken Parse(string text, string helper)
    {
        RenderBudget.Step(1 + text.Length / 1024);
        var (json, error) = RequestView.ParseJson(text);
        return json ?? throw new TemplateException($"{helper}: the input is not JSON ({error})");
    }

    public static object? ToValue(JToken token)
    {
        RenderBudget.Step();
        return token switch
        {
            JObject o => TemplateValues.Map(o.Properties().ToDictionary(p => p.Name, p => ToValue(p.Value))),
            JArray a => TemplateValues.Items(a.Select(ToValue).ToArray()),
            JValue { Type: JTokenType.Integer } v => v.Value is System.Numerics.BigInteger big ? (object)(double)big : Convert.ToInt64(v.Value, CultureInfo.InvariantCulture),
            JValue { Type: JTokenType.Float } v => Convert.ToDouble(v.Value, CultureInfo.InvariantCulture),
            JValue { Type: JTokenType.Boolean } v => (bool)v.Value!,
            JValue { Type: JTokenType.Null or JTokenType.Undefined } => null,
            JValue v => Convert.ToString(v.Value, CultureInfo.InvariantCulture),
            _ => token.ToString(Formatting.None),
        };
    }

    public static JToken ToJson(object? value)
    {
        RenderBudget.Step();
        return value switch
        {
            null => JValue.CreateNull(),
            JToken token => token,
            TemplateValues { IsOneOrMany: true, AsList: { } values } => values.Length == 1 ? ToJson(values[0]) : new JArray(values.Select(ToJson)),
            TemplateValues { AsList: { } items } => new JArray(items.Select(ToJson)),
            TemplateValues { AsMap: { } map } => new JObject(map.Select(p => new JProperty(p.Key, ToJson(p.Value)))),
            TemplateDate date => new JValue(date.ToString()),
            bool or int or long or double or decimal or float => new JValue(value),
            _ => new JValue(TemplateText.Of(value)),
        };
    }

    /// <summary>A value given to a JSON helper: JSON text is parsed, a template value converted.</summary>
    public static JToken Read(object? value, string helper) => value switch
    {
        string text => Parse(text, helper),
        null => throw new TemplateException($"{helper}: the input is empty, not JSON"),
        _ => ToJson(value),
    };

    public static string Compact(JToken token) => token.ToString(Formatting.None);

    /// <summary>Jackson's default pretty printer: objects one member per line indented by two, <c>" : "</c>, arrays on one line.</summary>
    public static string Pretty(JToken token)
    {
        var text = new StringBuilder();
        Write(text, token, 0);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JToken token, int depth)
    {
        RenderBudget.Produce(text.Length);
        switch (token)
        {
            case JObject o when !o.HasValues:
                text.Append("{ }");
                break;
            case JObject o:
                text.Append('{');
                var first = true;
                foreach (var property in o.Properties())
                {
                    text.Append(first ? "\n" : ",\n").Append(' ', 2 * (depth + 1)).Append(JsonConvert.ToString(property.Name)).Append(" : ");
                    Write(text, property.Value, depth + 1);
                    first = false;
                }
                text.Append('\n').Append(' ', 2 * depth).Append('}');
                break;
            case JArray a when !a.HasValues:
                text.Append("[ ]");
                break;
            case JArray a:
                text.Append("[ ");
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }
                    Write(text, a[i], depth);
                }
                text.Append(" ]");
                break;
            default:
                text.Append(token.ToString(Formatting.None));
                break;
        }
    }

    /// <summary>jsonMerge: <paramref name="addition"/>'s members over <paramref name="target"/>'s, objects merged deeply.</summary>
    public static JToken Merge(JToken target, JToken addition, bool removeNulls)
    {
        if (target is not JObject into || addition is not JObject from)
        {
            return addition.DeepClone();
        }
        var merged = (JObject)into.DeepClone();
        foreach (var property in from.Properties())
        {
            RenderBudget.Step();
            if (removeNulls && property.Value.Type == JTokenType.Null)
            {
                merged.Remove(property.Name);
            }
            else
            {
                merged[property.Name] = merged[property.Name] is { } existing ? Merge(existing, property.Value, removeNulls) : property.Value.DeepClone();
            }
        }
        return merged;
    }
}
