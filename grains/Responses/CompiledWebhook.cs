using System.Text;
using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Matching;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Grains.Responses;

/// <summary>
/// A response's webhook with its fields compiled as templates (when the endpoint is saved: a bad template is refused
/// then), rendered per triggering request into a <see cref="WebhookCall"/>. As in WireMock, the model names the request
/// <c>originalRequest</c> and the listener's other fields <c>parameters</c>; the body goes with POST, PUT and PATCH only.
/// </summary>
public sealed class CompiledWebhook
{
    private static readonly HashSet<string> MethodsWithBody = new(StringComparer.OrdinalIgnoreCase) { "POST", "PUT", "PATCH", "QUERY" };

    private readonly ResponseTemplate _method;
    private readonly ResponseTemplate _url;
    private readonly (string Name, ResponseTemplate Value)[] _headers;
    private readonly ResponseTemplate? _body;
    private readonly byte[]? _binaryBody;
    private readonly object? _parameters;

    private CompiledWebhook(WebhookSpec spec, ResponseTemplate method, ResponseTemplate url, (string Name, ResponseTemplate Value)[] headers, ResponseTemplate? body,
        byte[]? binaryBody, object? parameters)
    {
        Spec = spec;
        (_method, _url, _headers, _body, _binaryBody, _parameters) = (method, url, headers, body, binaryBody, parameters);
        ReadsBody = method.ReadsBody || url.ReadsBody || (body?.ReadsBody ?? false) || headers.Any(h => h.Value.ReadsBody);
    }

    public WebhookSpec Spec { get; }

    /// <summary>Whether a template reads the request body (so the front end must send it).</summary>
    public bool ReadsBody { get; }

    public static bool TryCompile(WebhookSpec spec, string field, out CompiledWebhook compiled, out string error)
    {
        compiled = null!;
        if (!ResponseTemplate.TryCompile(spec.Method, $"{field}.method", out var method, out error)
            || !ResponseTemplate.TryCompile(spec.Url, $"{field}.url", out var url, out error))
        {
            return false;
        }
        var headers = new List<(string, ResponseTemplate)>();
        foreach (var (name, value) in spec.Headers)
        {
            if (!ResponseTemplate.TryCompile(value, $"{field}.headers.{name}", out var header, out error))
            {
                return false;
            }
            headers.Add((name, header));
        }
        ResponseTemplate? body = null;
        if (spec.Body is { } text && !spec.Base64Body && !ResponseTemplate.TryCompile(text, $"{field}.body", out body, out error))
        {
            return false;
        }
        var parameters = spec.ParametersJson is { } json ? TemplateJson.ToValue(TemplateJson.Parse(json, "parameters")) : null;
        compiled = new CompiledWebhook(spec, method, url, [.. headers], body, spec.Base64Body && spec.Body is { } encoded ? Convert.FromBase64String(encoded) : null,
            parameters);
        return true;
    }

    /// <summary>
    /// The call this request triggers, due after the webhook's delay; a template that fails on this request, or a URL
    /// or method that is not one, is a <see cref="TemplateException"/> (logged as the attempt's error).
    /// </summary>
    public WebhookCall Render(RequestView request, IReadOnlyDictionary<string, string> pathParameters, MockLimits limits, WorkBudget budget, Random random,
        DateTimeOffset now, string endpointId, long requestSeq)
    {
        var model = new TemplateModel(request, pathParameters, TemplateModel.WebhookRoot, _parameters);
        var method = _method.Render(model, 64, limits.MaxTemplateSteps, budget).Trim();
        if (method.Length == 0 || !method.All(c => char.IsAsciiLetter(c) || c == '-' || c == '_'))
        {
            throw new TemplateException($"the webhook's method renders as '{method}', not an HTTP method");
        }
        var urlText = _url.Render(model, 8192, limits.MaxTemplateSteps, budget).Trim();
        if (TargetGuard.ParseHttpUrl(urlText, out var problem) is not { } url)
        {
            throw new TemplateException($"the webhook's {problem}");
        }
        var headers = _headers.Select(h => KeyValuePair.Create(h.Name, CompiledResponse.Clean(h.Value.Render(model, 8192, limits.MaxTemplateSteps, budget)))).ToArray();
        byte[]? body = null;
        if (MethodsWithBody.Contains(method))
        {
            body = _binaryBody ?? (_body is null ? null : Encoding.UTF8.GetBytes(_body.Render(model, limits.MaxWebhookBodyBytes, limits.MaxTemplateSteps, budget)));
            if (body?.Length > limits.MaxWebhookBodyBytes)
            {
                throw new TemplateException($"the webhook's body renders as {body.Length} bytes; a webhook body may have {limits.MaxWebhookBodyBytes}");
            }
        }
        var delay = DelaySampler.Sample(Spec.Delay, 0, limits.MaxWebhookDelayMs, random);
        return new WebhookCall(Guid.NewGuid().ToString("N"), now.AddMilliseconds(delay), method, url.AbsoluteUri, headers, body, endpointId, requestSeq, now);
    }
}
