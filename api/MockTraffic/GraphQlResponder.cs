using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Api.MockTraffic;

/// <summary>
/// A GraphQL endpoint's HTTP face (GraphQL over HTTP): <c>POST</c> with a JSON body
/// <c>{"query", "operationName", "variables"}</c>, or <c>GET</c> with the same as query parameters; the operation runs in
/// a <see cref="IGraphQlGrain"/> against the endpoint's schema. The answer is <c>application/graphql-response+json</c>
/// when the client accepts it, else <c>application/json</c>. A request that is not GraphQL over HTTP (no query, a body
/// that is not a JSON object, another method) is a problem (400, 415, 405).
/// </summary>
public sealed class GraphQlResponder(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<MockLimits> limits)
{
    private const string ResponseType = "application/graphql-response+json";

    public async Task AnswerAsync(HttpContext context, MockResult.GraphQl graphQl, bool cors)
    {
        var http = context.Request;
        var accept = http.Headers.Accept.ToString();
        var graphQlType = accept.Contains(ResponseType, StringComparison.OrdinalIgnoreCase);
        if (accept.Length > 0 && !graphQlType && !accept.Contains("json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("*/*", StringComparison.Ordinal)
            && !accept.Contains("application/*", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.Status(StatusCodes.Status406NotAcceptable, $"a GraphQL endpoint answers {ResponseType} or application/json, not {accept}").ExecuteAsync(context);
            return;
        }
        GraphQlRequest request;
        if (HttpMethods.IsGet(http.Method))
        {
            if (http.Query["query"] is not [{ Length: > 0 } query])
            {
                await Problems.BadRequest("a GraphQL GET request gives the operation in the query parameter 'query'").ExecuteAsync(context);
                return;
            }
            request = new GraphQlRequest("GET", query, http.Query["operationName"] is [{ Length: > 0 } name] ? name : null,
                http.Query["variables"] is [{ Length: > 0 } variables] ? variables : null, graphQlType);
        }
        else if (HttpMethods.IsPost(http.Method))
        {
            var body = await JsonBody.ReadAsync<JsonNode>(http, limits.Value.MaxRequestBodyBytes);
            if (body.Problem is not null)
            {
                await body.Problem.ExecuteAsync(context);
                return;
            }
            if (Read(body.Value) is not { } read)
            {
                await Problems.BadRequest("a GraphQL request body is a JSON object with \"query\" (a string), and optionally \"operationName\" (a string) "
                    + "and \"variables\" (an object)").ExecuteAsync(context);
                return;
            }
            request = read with { GraphQlResponseType = graphQlType };
        }
        else
        {
            context.Response.Headers.Allow = "GET, POST";
            await Problems.Status(StatusCodes.Status405MethodNotAllowed, $"a GraphQL endpoint takes GET and POST, not {http.Method}").ExecuteAsync(context);
            return;
        }
        var answer = await grains.GetGrain<IGraphQlGrain>(0).ExecuteAsync(graphQl.Spec, request, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = answer.Status;
        response.ContentType = answer.ContentType + "; charset=utf-8";
        if (answer.Allow is { } allow)
        {
            response.Headers.Allow = string.Join(", ", allow);
        }
        if (cors && http.Headers.Origin.Count > 0)
        {
            response.Headers.AccessControlAllowOrigin = "*";
        }
        await response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private static GraphQlRequest? Read(JsonNode? body)
    {
        if (body is not JsonObject json || json["query"] is not JsonValue query || query.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }
        string? operation = null;
        if (json["operationName"] is { } name)
        {
            if (name is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                return null;
            }
            operation = value.GetValue<string>();
        }
        var variables = json["variables"];
        if (variables is not (null or JsonObject))
        {
            return null;
        }
        return new GraphQlRequest("POST", query.GetValue<string>(), operation, variables?.ToJsonString(), false);
    }
}
