using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// One response of an endpoint, ready to serve: its condition (<c>when</c>), scenario step and weight, and either the
/// bytes built once (a static response) or its compiled templates (rendered per request).
/// </summary>
public sealed class CompiledResponse
{
    private readonly ResponseTemplate? _body;
    private readonly (string Name, ResponseTemplate Value)[] _headers;

    private CompiledResponse(ResponseDefinition definition, int index, RequestConditions when, MockResponse prebuilt,
        ResponseTemplate? body, (string, ResponseTemplate)[] headers, CompiledWebhook[] webhooks)
    {
        Definition = definition;
        Index = index;
        When = when;
        Prebuilt = prebuilt;
        _body = body;
        _headers = headers;
        Webhooks = webhooks;
        Needs = when.Needs | (definition.Template ? RequestParts.Query | RequestParts.Headers | (ReadsBody ? RequestParts.Body : 0) : 0)
            | (webhooks.Length > 0 ? RequestParts.Query | RequestParts.Headers | (webhooks.Any(w => w.ReadsBody) ? RequestParts.Body : 0) : 0);
        Matched = Answer(prebuilt);
    }

    public ResponseDefinition Definition { get; }

    public int Index { get; }

    public RequestConditions When { get; }

    public ScenarioStep? Scenario => Definition.Scenario;

    public int Weight => Definition.Weight;

    /// <summary>The response as served when nothing varies per request (no template, fixed delay).</summary>
    public MockResponse Prebuilt { get; }

    public RequestParts Needs { get; }

    /// <summary>What this response sends after it answers (rendered per request by the project grain).</summary>
    public CompiledWebhook[] Webhooks { get; }

    /// <summary>True when every request gets the same answer (no template, no drawn delay): <see cref="Matched"/>.</summary>
    public bool IsStatic => !Definition.Template && Definition.Delay is null or { Fixed: not null };

    /// <summary>The answer for every request a static response wins, built once.</summary>
    public MockResult Matched { get; }

    /// <summary>What the endpoint answers with this response: the response itself, or a forward to the real API it proxies.</summary>
    public MockResult Answer(MockResponse response, string? contractViolation = null) =>
        Definition.Proxy is { } proxy ? new MockResult.Forward(proxy, EndpointId: response.EndpointId)
        : Definition.Graphql is { } graphql ? new MockResult.GraphQl(graphql, response.EndpointId)
        : new MockResult.Answered(response, contractViolation);

    private bool ReadsBody => (_body?.ReadsBody ?? false) || _headers.Any(h => h.Value.ReadsBody);

    /// <summary>Compiles a validated response; templates that do not compile are named in <paramref name="error"/>.</summary>
    public static bool TryCompile(EndpointInfo endpoint, ResponseDefinition definition, int index, string field, int maxConditions,
        out CompiledResponse compiled, out string error)
    {
        compiled = null!;
        if (!RequestConditions.TryCompile(definition.When, $"{field}.when", maxConditions, out var when, out error))
        {
            return false;
        }
        var prebuilt = ResponseCompiler.Compile(endpoint, definition, index);
        ResponseTemplate? body = null;
        var headers = new List<(string, ResponseTemplate)>();
        if (definition.Template)
        {
            var bodyText = prebuilt.Body.Length > 0 ? System.Text.Encoding.UTF8.GetString(prebuilt.Body) : null;
            if (bodyText is not null && !ResponseTemplate.TryCompile(bodyText, $"{field}.body", out body, out error))
            {
                return false;
            }
            foreach (var (name, value) in definition.Headers.Concat(definition.MoreHeaderValues ?? []))
            {
                if (!ResponseTemplate.TryCompile(value, $"{field}.headers.{name}", out var header, out error))
                {
                    return false;
                }
                headers.Add((name, header));
            }
        }
        var webhooks = new CompiledWebhook[definition.Webhooks?.Length ?? 0];
        for (var i = 0; i < webhooks.Length; i++)
        {
            if (!CompiledWebhook.TryCompile(definition.Webhooks![i], $"{field}.webhooks[{i}]", out webhooks[i], out error))
            {
                return false;
            }
        }
        compiled = new CompiledResponse(definition, index, when, prebuilt, body, [.. headers], webhooks);
        return true;
    }

    /// <summary>The response for one request: the prebuilt one, or rendered from the templates (within <paramref name="budget"/>), with its delay drawn.</summary>
    /// <param name="template">The endpoint's path template (null for a pattern), whose parameters the templates may read.</param>
    public MockResponse Render(RequestView request, RouteTemplate? template, string[] segments, MockLimits limits, WorkBudget budget, Random random)
    {
        var delay = Definition.Delay is { Fixed: null } ? DelaySampler.Sample(Definition.Delay, Definition.DelayMs, limits.MaxDelayMs, random) : Prebuilt.DelayMs;
        if (!Definition.Template)
        {
            return delay == Prebuilt.DelayMs ? Prebuilt : Copy(Prebuilt, Prebuilt.Headers, Prebuilt.Body, delay);
        }
        var model = new TemplateModel(request, template?.Values(segments) ?? []);
        var body = _body is null ? Prebuilt.Body : System.Text.Encoding.UTF8.GetBytes(_body.Render(model, limits.MaxResponseBodyBytes, limits.MaxTemplateSteps, budget));
        if (body.Length > limits.MaxResponseBodyBytes)
        {
            throw new TemplateException($"the rendered body is {body.Length} bytes, more than the {limits.MaxResponseBodyBytes} a response may have");
        }
        var headers = _headers.Length == 0
            ? Prebuilt.Headers
            : _headers.Select(h => KeyValuePair.Create(h.Name, Clean(h.Value.Render(model, 8192, limits.MaxTemplateSteps, budget)))).ToArray();
        return Copy(Prebuilt, headers, body, delay);
    }

    /// <summary>A rendered header value, without what would break the header block (control characters but tab).</summary>
    internal static string Clean(string value) => new(value.Where(c => c == '\t' || !char.IsControl(c)).ToArray());

    /// <summary><paramref name="response"/> answered with another status (an OpenAPI <c>default</c> response serving the code asked for).</summary>
    public static MockResponse WithStatus(MockResponse response, int status) =>
        response.Status == status ? response : Copy(response, response.Headers, response.Body, response.DelayMs, status);

    private static MockResponse Copy(MockResponse from, KeyValuePair<string, string>[] headers, byte[] body, int delay, int? status = null) => new()
    {
        Status = status ?? from.Status,
        Headers = headers,
        ContentType = from.ContentType,
        Body = body,
        DelayMs = delay,
        EndpointId = from.EndpointId,
        ResponseIndex = from.ResponseIndex,
        Fault = from.Fault,
        ChunkedDribble = from.ChunkedDribble,
        StatusMessage = from.StatusMessage,
    };
}
