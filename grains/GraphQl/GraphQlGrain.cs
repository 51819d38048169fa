using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Validation;
using Orleans.Concurrency;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.GraphQl;

/// <summary>
/// Runs GraphQL operations against a mocked schema (GraphQL.NET): parse, validate against the schema, execute with
/// <see cref="MockData"/>'s resolvers, and answer per GraphQL over HTTP: <c>application/json</c> answers 200 for every
/// well-formed request (errors in GraphQL's <c>errors</c>); <c>application/graphql-response+json</c> answers 400 for a
/// request that cannot run (a syntax or validation error); a mutation by GET is a 405. Budgets per request: 2 s, 10,000
/// fields, 32 levels of nesting in the answer, 64 in the document.
/// </summary>
[StatelessWorker, Reentrant]
[GrainType("graphql")]
public sealed class GraphQlGrain : Grain, IGraphQlGrain
{
    public const int MaxFields = 10_000;
    public const int MaxDepth = 32;
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private static readonly DocumentExecuter Executer = new(new GraphQLDocumentBuilder { MaxDepth = 64 }, new DocumentValidator());
    private static readonly GraphQLSerializer Serializer = new();

    public async Task<GraphQlAnswer> ExecuteAsync(GraphQlSpec spec, GraphQlRequest request, CancellationToken cancellation = default)
    {
        var type = request.GraphQlResponseType ? "application/graphql-response+json" : "application/json";
        if (request.HttpMethod == "GET" && OperationOf(request) is "mutation" or "subscription")
        {
            return new GraphQlAnswer(405, type, Errors("a mutation is sent with POST (GraphQL over HTTP: GET runs queries only)"), ["POST"]);
        }
        Inputs? variables = null;
        JsonObject? variablesJson = null;
        if (request.VariablesJson is { } json)
        {
            try
            {
                variablesJson = JsonNode.Parse(json) as JsonObject;
                variables = Serializer.Deserialize<Inputs>(json);
            }
            catch (System.Text.Json.JsonException exception)
            {
                return new GraphQlAnswer(400, type, Errors($"variables is not a JSON object: {exception.Message}"));
            }
        }
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        budget.CancelAfter(Budget);
        var run = new MockData.Run
        {
            Declared = spec.ValuesJson is { } values ? JsonNode.Parse(values) as JsonObject ?? [] : [],
            MaxFields = MaxFields,
            MaxDepth = MaxDepth,
            Variables = variablesJson,
            Cancellation = budget.Token,
        };
        ExecutionResult result;
        try
        {
            result = await Executer.ExecuteAsync(options =>
            {
                options.Schema = MockSchema.Of(spec.Schema);
                options.Query = request.Query;
                options.OperationName = request.OperationName;
                options.Variables = variables;
                options.UserContext = run;
                options.CancellationToken = budget.Token;
            });
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new GraphQlAnswer(200, type, Errors($"the operation took longer than {Budget.TotalSeconds:0} s, the mock's budget per request"));
        }
        // A request that could not run (syntax, validation, no such operation) has no data entry.
        var status = !result.Executed && request.GraphQlResponseType ? 400 : 200;
        return new GraphQlAnswer(status, type, Serializer.Serialize(result));
    }

    /// <summary>The kind of operation the request would run ("query", "mutation", ...), or null when the document does not parse.</summary>
    private static string? OperationOf(GraphQlRequest request)
    {
        try
        {
            var operations = GraphQLParser.Parser.Parse(request.Query).Definitions.OfType<GraphQLParser.AST.GraphQLOperationDefinition>().ToList();
            var chosen = request.OperationName is { } name ? operations.FirstOrDefault(o => o.Name?.StringValue == name) : operations.Count == 1 ? operations[0] : null;
            return chosen?.Operation.ToString().ToLowerInvariant();
        }
        catch (GraphQLParser.Exceptions.GraphQLParserException)
        {
            return null;
        }
    }

    private static string Errors(string message) => new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["message"] = message }) }.ToJsonString();
}
