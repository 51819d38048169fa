using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansMock.Api.Http;

namespace OrleansMock.Api.Hosting;

/// <summary>
/// Documents <c>{projectId}</c> on every project route: handlers take it as a <see cref="ProjectScope"/>, which the
/// OpenAPI generator cannot see as the path parameter it is.
/// </summary>
public sealed class ProjectParameter : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var name = ProjectScope.RouteValue;
        if (context.Description.RelativePath?.Contains($"{{{name}}}", StringComparison.Ordinal) == true
            && operation.Parameters?.Any(p => p.Name == name) != true)
        {
            operation.Parameters ??= [];
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Path,
                Required = true,
                Description = "The project's id (p_...) or its slug.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
        return Task.CompletedTask;
    }
}
