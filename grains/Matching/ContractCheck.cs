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
    private readonly (ParameterRule Rule, ResourceSchema? Schema, string? Type)[] _parameters;
    private readonly ResourceSchema? _body;
    private readonly bool _bodyRequired;
    private readonly (string Status, ResourceSchema? Schema)[] _responses;

    private ContractCheck(RequestContract contract)
    {
        _parameters = [.. contract.Parameters.Select(p => (p, ResourceSchema.Compile(p.SchemaJson), TypeOf(p.SchemaJson)))];
        _body = ResourceSchema.Compile(contract.BodySchemaJson);
        _bodyRequired = contract.BodyRequired;
        _responses = [.. (contract.Responses ?? []).Select(r => (r.Status.ToUpperInvariant(), ResourceSchema.Compile(r.SchemaJson)))];
    }

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
        if (rule.Schema is null)
        {
            return null;
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

    /// <summary>Every way the request breaks the contract; <paramref name="path"/> holds the path parameters' values.</summary>
    public string[] Check(RequestView request, IReadOnlyDictionary<string, string>? path, WorkBudget budget)
    {
        var violations = new List<string>();
        foreach (var (rule, schema, type) in _parameters)
        {
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
            foreach (var failure in schema?.Validate(Value(values[0], type), budget) ?? [])
            {
                violations.Add($"{rule.In} '{rule.Name}': {failure.Message}");
            }
        }
        var body = request.Body;
        if (string.IsNullOrWhiteSpace(body))
        {
            if (_bodyRequired)
            {
                violations.Add("body is required");
            }
        }
        else if (_body is not null)
        {
            if (request.JsonDocument() is null)
            {
                violations.Add("body is not valid JSON");
            }
            else
            {
                violations.AddRange(_body.Validate(body, budget).Select(f => $"body {(f.Path.Length == 0 ? "" : f.Path + " ")}{f.Rule}: {f.Message}"));
            }
        }
        return [.. violations];
    }

    /// <summary>A parameter's text as the JSON value its schema's type expects (a string when it does not parse).</summary>
    private static string Value(string text, string? type) => type switch
    {
        "integer" or "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => text,
        "boolean" when text is "true" or "false" => text,
        _ => JsonValue.Create(text).ToJsonString(),
    };

    private static string? TypeOf(string? schemaJson)
    {
        if (schemaJson is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(schemaJson)?["type"] switch
            {
                JsonValue value => value.GetValue<string>(),
                JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t != "null"),
                _ => null,
            };
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
