using System.Globalization;
using System.Text.Json.Nodes;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Safety;
using OrleansMock.Grains.Schemas;

namespace OrleansMock.Grains.Matching;

/// <summary>
/// An endpoint's OpenAPI contract, compiled once: required path and query parameters and headers present, their values
/// valid for their schemas (a value is read as the number or boolean its schema's type asks for), and the JSON body
/// valid for its schema (<see cref="Check"/> lists every violation); and its answers' statuses documented and their
/// JSON bodies valid for the documented schema (<see cref="CheckResponse"/>).
/// </summary>
public sealed class ContractCheck
{
    private readonly (ParameterRule Rule, ResourceSchema? Schema, string? Type, string? ItemType, string? Format, Dictionary<string, string?>? Properties)[] _parameters;
    private readonly ResourceSchema? _body;
    private readonly bool _bodyRequired;
    private readonly string[]? _bodyMediaTypes;
    private readonly bool _bodyIsForm;
    private readonly HashSet<string>? _formFieldsWithoutReserved;
    private readonly Dictionary<string, string?> _formTypes;
    private readonly (string Status, ResourceSchema? Schema, int? Index, MediaRule[]? Media)[] _responses;
    private readonly SecurityRule[][]? _security;
    private readonly ExampleRule[] _examples;

    private ContractCheck(RequestContract contract)
    {
        _parameters = [.. contract.Parameters.Select(p => Parse(p.SchemaJson) is var schema
            ? (p, ResourceSchema.Compile(p.SchemaJson, formats: true), TypeOf(schema), TypeOf(schema?["items"]), Text(schema?["format"]),
                schema?["properties"] is JsonObject members ? members.ToDictionary(m => m.Key, m => TypeOf(m.Value), StringComparer.Ordinal) : null)
            : default)];
        _body = ResourceSchema.Compile(contract.BodySchemaJson, formats: true);
        _bodyRequired = contract.BodyRequired;
        _bodyMediaTypes = contract.BodyMediaTypes is { Length: > 0 } types ? [.. types.Select(t => t.Split(';')[0].Trim().ToLowerInvariant())] : null;
        _bodyIsForm = contract.BodyIsForm;
        _formFieldsWithoutReserved = contract.FormFieldsWithoutReserved is { Length: > 0 } strict ? [.. strict] : null;
        _formTypes = contract.BodyIsForm && Parse(contract.BodySchemaJson)?["properties"] is JsonObject properties
            ? properties.ToDictionary(p => p.Key, p => TypeOf(p.Value), StringComparer.Ordinal)
            : [];
        _responses = [.. (contract.Responses ?? []).Select(r => (r.Status.ToUpperInvariant(), ResourceSchema.Compile(r.SchemaJson), r.ResponseIndex, r.Media))];
        _security = contract.Security;
        _examples = [.. (contract.Examples ?? []).Select(e => e with { Status = e.Status.ToUpperInvariant() })];
    }

    /// <summary>
    /// Why the request carries none of the credential sets the operation's security asks for (null: it carries one), as
    /// Prism checks them: an API key present where the scheme puts it; <c>Authorization: Basic</c> with base64 of
    /// user:password; <c>Bearer</c> with a token; <c>Digest</c> with its parameters.
    /// </summary>
    public string? SecurityFailure(RequestView request)
    {
        if (_security is null || _security.Any(alternative => alternative.All(rule => Carries(request, rule))))
        {
            return null;
        }
        return "the request carries none of the credentials the operation's security asks for: "
            + string.Join(" or ", _security.Select(alternative => string.Join(" and ", alternative.Select(r => r.Name is null ? r.Kind : $"{r.Kind} '{r.Name}'"))));
    }

    private static bool Carries(RequestView request, SecurityRule rule)
    {
        var authorization = request.HeaderValues("Authorization") is [var value, ..] ? value.Trim() : "";
        return rule.Kind switch
        {
            "header" => request.HeaderValues(rule.Name!).Count > 0,
            "query" => request.QueryValues(rule.Name!).Count > 0,
            "cookie" => request.CookieValues(rule.Name!).Count > 0,
            "basic" => Credential(authorization, "Basic") is { } token && BasicPair(token),
            "bearer" => Credential(authorization, "Bearer") is { Length: > 0 },
            "digest" => Credential(authorization, "Digest") is { } digest
                && new[] { "username=", "realm=", "nonce=", "uri=", "response=" }.All(p => digest.Contains(p, StringComparison.OrdinalIgnoreCase)),
            _ => true,
        };
    }

    private static string? Credential(string authorization, string scheme) =>
        authorization.StartsWith(scheme + " ", StringComparison.OrdinalIgnoreCase) ? authorization[(scheme.Length + 1)..].Trim() : null;

    private static bool BasicPair(string token)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token)).Contains(':', StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The documented response that answers a request refused with <paramref name="status"/>, as Prism picks it: the one
    /// documented for that status (for 422, else for 400), else <c>default</c> answered with the status; null when none.
    /// </summary>
    public (int Index, int Status)? Refusal(int status)
    {
        string[] wanted = status == 422 ? ["422", "400"] : [status.ToString(CultureInfo.InvariantCulture)];
        foreach (var code in wanted)
        {
            if (Array.Find(_responses, r => r.Status == code) is { Index: { } index })
            {
                return (index, int.Parse(code, CultureInfo.InvariantCulture));
            }
        }
        return Array.Find(_responses, r => r.Status == "DEFAULT") is { Index: { } fallback } ? (fallback, status) : null;
    }

    /// <summary>
    /// The response a request asks for, as Prism reads it: <c>Prefer: code=N</c> and <c>example=name</c> (tokens of the
    /// header, not prefixes), or the query's <c>__code</c> and <c>__example</c>. A code answers with the response documented
    /// for it, else its range's (<c>4XX</c>), else <c>default</c> with that code; an example with that response's (or the
    /// default answer's) named example. A code the document does not answer or an example it does not name is a 404
    /// refusal, a code that is no HTTP status a 422. Null when the request asks for nothing.
    /// </summary>
    public (int Index, int Status, string? Refusal)? Preferred(RequestView request)
    {
        string? code = null, example = null;
        foreach (var header in request.HeaderValues("Prefer"))
        {
            foreach (var token in header.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (token.StartsWith("code=", StringComparison.OrdinalIgnoreCase))
                {
                    code ??= token[5..];
                }
                else if (token.StartsWith("example=", StringComparison.OrdinalIgnoreCase))
                {
                    example ??= token[8..].Trim('"');
                }
            }
        }
        code ??= request.QueryValues("__code") is [var queryCode, ..] ? queryCode : null;
        example ??= request.QueryValues("__example") is [var queryExample, ..] ? queryExample : null;
        if (code is null && example is null)
        {
            return null;
        }
        var status = 0;
        if (code is not null && (code.Length != 3 || !int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out status) || status is < 100 or > 599))
        {
            return (-1, 422, $"code={code} is not an HTTP status code");
        }
        if (example is not null)
        {
            var named = _examples.Where(e => e.Name == example && (code is null ? e.Status == MainStatus : e.Status == code)).ToArray();
            return named is [var found, ..]
                ? (found.ResponseIndex, code is null ? StatusOf(found.Status) : status, null)
                : (-1, 404, $"example '{example}' is not one the document names for {(code is null ? "the default answer" : $"response {code}")}");
        }
        return Array.Find(_responses, r => r.Status == code) is { Index: { } index } ? (index, status, null)
            : Array.Find(_responses, r => r.Status == code![0] + "XX") is { Index: { } range } ? (range, status, null)
            : Array.Find(_responses, r => r.Status == "DEFAULT") is { Index: { } fallback } ? (fallback, status, null)
            : (-1, 404, $"code={code} asks for a status the document does not define for this operation ({string.Join(", ", _responses.Select(r => r.Status.ToLowerInvariant()))})");
    }

    /// <summary>
    /// The response the request's <c>Accept</c> chooses among the media types of the documented response that the
    /// endpoint's response <paramref name="index"/> serves, as Prism negotiates (the jshttp negotiator's order: quality,
    /// then specificity, then the order of the header, then the document's; media type parameters must match, and are
    /// ignored, all but q, on a second try). No media type acceptable is a 406 refusal (its message). Null when nothing
    /// is negotiated: no <c>Accept</c>, a response without content, or one that is not documented.
    /// </summary>
    public (int Index, string? NotAcceptable)? Negotiate(RequestView request, int index)
    {
        var accept = request.HeaderValues("Accept");
        if (accept.Count == 0 || _responses.FirstOrDefault(r => r.Media?.Any(m => m.ResponseIndex == index) == true).Media is not { Length: > 0 } media)
        {
            return null;
        }
        var header = string.Join(",", accept);
        var offered = media.Select(m => MediaRange.Parse(m.Type, 0)).ToArray();
        if (offered.Any(o => o is null))
        {
            return null;
        }
        var ranges = MediaRange.ParseAll(header, keepParameters: true);
        if (ranges.Count == 0)
        {
            return null; // an empty Accept is none
        }
        var best = MediaRange.Best(ranges, offered!) ?? (ranges.Any(r => r.Parameters.Length > 0) ? MediaRange.Best(MediaRange.ParseAll(header, keepParameters: false), offered!) : null);
        return best is { } chosen ? (media[chosen].ResponseIndex, null) : (-1, $"Unable to find content for {header}: the document offers {string.Join(", ", media.Select(m => m.Type))}");
    }

    /// <summary>One media range of an <c>Accept</c> header (or one offered media type): its parts, parameters but q, quality and place.</summary>
    private sealed record MediaRange(string Type, string Subtype, KeyValuePair<string, string>[] Parameters, double Quality, int Order)
    {
        public static MediaRange? Parse(string text, int order, bool keepParameters = true)
        {
            var parts = text.Split(';', StringSplitOptions.TrimEntries);
            var slash = parts[0].IndexOf('/');
            var (type, subtype) = parts[0] == "*" ? ("*", "*") : slash <= 0 || slash == parts[0].Length - 1 ? ("", "") : (parts[0][..slash], parts[0][(slash + 1)..]);
            if (type.Length == 0)
            {
                return null;
            }
            var quality = 1.0;
            var parameters = new List<KeyValuePair<string, string>>();
            foreach (var parameter in parts.Skip(1))
            {
                var at = parameter.IndexOf('=');
                var (name, value) = at < 0 ? (parameter, "") : (parameter[..at].Trim(), parameter[(at + 1)..].Trim().Trim('"'));
                if (name.Equals("q", StringComparison.OrdinalIgnoreCase))
                {
                    quality = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) ? Math.Clamp(q, 0, 1) : 1;
                }
                else if (keepParameters && name.Length > 0)
                {
                    parameters.Add(KeyValuePair.Create(name.ToLowerInvariant(), value));
                }
            }
            return new MediaRange(type.ToLowerInvariant(), subtype.ToLowerInvariant(), [.. parameters], quality, order);
        }

        public static List<MediaRange> ParseAll(string header, bool keepParameters) =>
            [.. header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select((t, i) => Parse(t, i, keepParameters)).OfType<MediaRange>()];

        /// <summary>How specifically this range matches <paramref name="offered"/> (type 4, subtype 2, parameters 1), or null when it does not.</summary>
        private int? Specificity(MediaRange offered)
        {
            var s = 0;
            if (Type == offered.Type)
            {
                s |= 4;
            }
            else if (Type != "*")
            {
                return null;
            }
            if (Subtype == offered.Subtype)
            {
                s |= 2;
            }
            else if (Subtype != "*")
            {
                return null;
            }
            if (Parameters.Length > 0)
            {
                if (!Parameters.All(p => offered.Parameters.Any(o => o.Key == p.Key && string.Equals(o.Value, p.Value, StringComparison.OrdinalIgnoreCase))))
                {
                    return null;
                }
                s |= 1;
            }
            return s;
        }

        /// <summary>The index of the offered type the ranges prefer, or null when none is acceptable (quality 0 refuses).</summary>
        public static int? Best(List<MediaRange> ranges, MediaRange[] offered)
        {
            (double Q, int S, int O, int I)? best = null;
            for (var i = 0; i < offered.Length; i++)
            {
                (double Q, int S, int O)? priority = null;
                foreach (var range in ranges)
                {
                    if (range.Specificity(offered[i]) is { } s && (priority is not { } p || s > p.S || (s == p.S && (range.Quality > p.Q || (range.Quality == p.Q && range.Order < p.O)))))
                    {
                        priority = (range.Quality, s, range.Order);
                    }
                }
                if (priority is not { Q: > 0 } found)
                {
                    continue;
                }
                var candidate = (found.Q, found.S, found.O, i);
                if (best is not { } b || candidate.Q > b.Q || (candidate.Q == b.Q && (candidate.S > b.S || (candidate.S == b.S && candidate.O < b.O))))
                {
                    best = candidate;
                }
            }
            return best?.I;
        }
    }

    /// <summary>The documented status of the default answer: the lowest success code (as the importer picks it), else the first documented.</summary>
    private string? MainStatus => _responses.Where(r => r.Status.StartsWith('2')).Select(r => r.Status).Order(StringComparer.Ordinal).FirstOrDefault()
        ?? _responses.FirstOrDefault().Status;

    private static int StatusOf(string code) => int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : 200;

    /// <summary>Whether the contract documents responses to check answers against.</summary>
    public bool ChecksResponses => _responses.Length > 0;

    /// <summary>Why an answer breaks the documented responses (its status undocumented, its body not valid), or null.</summary>
    public string? CheckResponse(MockResponse response, WorkBudget budget)
    {
        var status = response.Status.ToString(CultureInfo.InvariantCulture);
        var rule = Array.Find(_responses, r => r.Status == status) is { Status: not null } exact ? exact
            : Array.Find(_responses, r => r.Status == status[0] + "XX") is { Status: not null } range ? range
            : Array.Find(_responses, r => r.Status == "DEFAULT");
        if (rule.Status is null)
        {
            return $"status {status} is not a documented response ({string.Join(", ", _responses.Select(r => r.Status.ToLowerInvariant()))})";
        }
        if (rule.Schema is null || (response.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            return null; // the documented schema is the JSON content's; another media type's body is not checked against it
        }
        if (response.Body.Length == 0)
        {
            return $"response {status} has no body; the document gives its schema";
        }
        try
        {
            var failures = rule.Schema.Validate(System.Text.Encoding.UTF8.GetString(response.Body), budget);
            return failures.Length == 0 ? null
                : $"response {status} body: " + string.Join("; ", failures.Take(5).Select(f => $"{(f.Path.Length == 0 ? "" : f.Path + " ")}{f.Rule}: {f.Message}"));
        }
        catch (System.Text.Json.JsonException)
        {
            return $"response {status} body is not JSON; the document gives a JSON schema";
        }
    }

    /// <summary>The compiled contract, or an error naming what is not a usable schema.</summary>
    public static ContractCheck? TryCompile(RequestContract? contract, out string? error)
    {
        error = null;
        if (contract is null)
        {
            return null;
        }
        try
        {
            return new ContractCheck(contract);
        }
        catch (ResourceSchemaException exception)
        {
            error = $"contract: {exception.Message}";
            return null;
        }
    }

    public static RequestParts Needs => RequestParts.Query | RequestParts.Headers | RequestParts.Body;

    /// <summary>
    /// Every way the request breaks the contract (<paramref name="path"/> holds the path parameters' values), and the status
    /// to refuse it with: 415 when its body comes in a media type the operation does not take, else 422.
    /// </summary>
    public (string[] Violations, int Status) Check(RequestView request, IReadOnlyDictionary<string, string>? path, WorkBudget budget)
    {
        var violations = new List<string>();
        var body = request.Body;
        if (!string.IsNullOrWhiteSpace(body) && _bodyMediaTypes is not null)
        {
            var sent = request.HeaderValues("Content-Type") is [var type, ..] ? type.Split(';')[0].Trim().ToLowerInvariant() : "";
            if (!_bodyMediaTypes.Any(t => t == sent || t == "*/*" || (t.EndsWith("/*", StringComparison.Ordinal) && sent.StartsWith(t[..^1], StringComparison.Ordinal))))
            {
                return ([$"body: media type '{(sent.Length == 0 ? "(none)" : sent)}' is not one the operation takes ({string.Join(", ", _bodyMediaTypes)})"], 415);
            }
        }
        foreach (var (rule, schema, type, itemType, format, properties) in _parameters)
        {
            if (type == "object" && rule.In == "query")
            {
                // An object is read as its style writes it (form exploded: one parameter per member; form: name=k,v,k,v;
                // deepObject: name[k]=v), each member as its type.
                if (QueryObject(request, rule, properties ?? []) is not { } members)
                {
                    if (rule.Required)
                    {
                        violations.Add($"{rule.In} '{rule.Name}' is required");
                    }
                    continue;
                }
                violations.AddRange((schema?.Validate(members, budget) ?? []).Select(f => $"{rule.In} '{rule.Name}{(f.Path.Length == 0 ? "" : f.Path.Replace('/', '.'))}': {f.Message}"));
                continue;
            }
            var values = rule.In switch
            {
                "header" => request.HeaderValues(rule.Name),
                "path" => path?.GetValueOrDefault(rule.Name) is { } value ? [value] : [],
                _ => request.QueryValues(rule.Name),
            };
            if (values.Count == 0)
            {
                if (rule.Required)
                {
                    violations.Add($"{rule.In} '{rule.Name}' is required");
                }
                continue;
            }
            // An array comes as repeated parameters (explode) or one value split by its style's delimiter, each item read
            // as its type.
            var json = type == "array"
                ? "[" + string.Join(",", (rule.Explode && rule.In == "query" && rule.Style is null or "form" ? values : values[0].Split(Delimiter(rule.Style))).Select(v => Value(v, itemType))) + "]"
                : Value(values[0], type);
            foreach (var failure in schema?.Validate(json, budget) ?? [])
            {
                violations.Add($"{rule.In} '{rule.Name}': {failure.Message}");
            }
            if (type == "integer" && OutOfRange(values[0], format) is { } range)
            {
                violations.Add($"{rule.In} '{rule.Name}': {values[0]} is outside {range}");
            }
        }
        if (string.IsNullOrWhiteSpace(body))
        {
            if (_bodyRequired)
            {
                violations.Add("body is required");
            }
        }
        else if (_body is not null)
        {
            if (_bodyIsForm && _formFieldsWithoutReserved is not null)
            {
                violations.AddRange(ReservedInForm(body, _formFieldsWithoutReserved));
            }
            var json = _bodyIsForm ? FormJson(body) : request.JsonDocument() is null ? null : body;
            if (json is null)
            {
                violations.Add("body is not valid JSON");
            }
            else
            {
                violations.AddRange(_body.Validate(json, budget).Select(f => $"body {(f.Path.Length == 0 ? "" : f.Path + " ")}{f.Rule}: {f.Message}"));
            }
        }
        return ([.. violations], 422);
    }

    /// <summary>The range an integer of OpenAPI's <c>int32</c>/<c>int64</c> format leaves <paramref name="text"/> outside, or null.</summary>
    private static string? OutOfRange(string text, string? format) => format switch
    {
        "int32" when System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            && (n < int.MinValue || n > int.MaxValue) => "int32's range",
        "int64" when System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            && (n < long.MinValue || n > long.MaxValue) => "int64's range",
        _ => null,
    };

    // What RFC 3986 reserves (less ':'), as Prism tests a form field sent without percent-encoding them.
    private static readonly System.Buffers.SearchValues<char> Reserved = System.Buffers.SearchValues.Create("/?#[]@!$&'()*+,;=");

    /// <summary>A violation per field of <paramref name="fields"/> whose raw (undecoded) value carries a reserved character.</summary>
    private static IEnumerable<string> ReservedInForm(string body, HashSet<string> fields)
    {
        foreach (var pair in body.Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            if (equals >= 0 && fields.Contains(name) && pair.AsSpan(equals + 1).IndexOfAny(Reserved) >= 0)
            {
                yield return $"body {name}: reserved characters used (its encoding does not allow them: allowReserved is false)";
            }
        }
    }

    /// <summary>A form body as a JSON object, each field read as the type its schema gives it (repeated fields: an array).</summary>
    private string FormJson(string body)
    {
        var form = new JsonObject();
        foreach (var (name, values) in RequestView.ParseQuery(body))
        {
            var type = _formTypes.GetValueOrDefault(name);
            form[name] = type == "array"
                ? new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))])
                : JsonNode.Parse(Value(values[0], type));
        }
        return form.ToJsonString();
    }

    private static char Delimiter(string? style) => style switch
    {
        "spaceDelimited" => ' ',
        "pipeDelimited" => '|',
        _ => ',',
    };

    /// <summary>An object query parameter as a JSON object (members read as their types), or null when the request has none of it.</summary>
    private static string? QueryObject(RequestView request, ParameterRule rule, Dictionary<string, string?> properties)
    {
        var members = new JsonObject();
        if (rule.Style == "deepObject" || rule.Explode)
        {
            // One query parameter per member: page[offset]=1 (deepObject), or offset=1 (form, exploded).
            foreach (var name in properties.Keys)
            {
                if (request.QueryValues(rule.Style == "deepObject" ? $"{rule.Name}[{name}]" : name) is [var value, ..])
                {
                    members[name] = JsonNode.Parse(Value(value, properties[name]));
                }
            }
        }
        else if (request.QueryValues(rule.Name) is [var written, ..])
        {
            var parts = written.Split(',');
            for (var i = 0; i + 1 < parts.Length; i += 2)
            {
                members[parts[i]] = JsonNode.Parse(Value(parts[i + 1], properties.GetValueOrDefault(parts[i])));
            }
            return members.ToJsonString();
        }
        return members.Count == 0 ? null : members.ToJsonString();
    }

    /// <summary>A parameter's text as the JSON value its schema's type expects (a string when it does not parse).</summary>
    private static string Value(string text, string? type) => type switch
    {
        "integer" or "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => text,
        "boolean" when text is "true" or "false" => text,
        _ => JsonValue.Create(text).ToJsonString(),
    };

    private static JsonNode? Parse(string? schemaJson)
    {
        try
        {
            return schemaJson is null ? null : JsonNode.Parse(schemaJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;

    private static string? TypeOf(JsonNode? schema)
    {
        try
        {
            return schema?["type"] switch
            {
                JsonValue value => value.GetValue<string>(),
                JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null"),
                _ => null,
            };
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
