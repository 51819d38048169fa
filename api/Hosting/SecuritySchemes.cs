using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansMock.Api.Auth;

namespace OrleansMock.Api.Hosting;

/// <summary>Declares the two security schemes in the OpenAPI document and marks the operations that need them.</summary>
public sealed class SecuritySchemes : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            ["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from POST /api/v1/auth/login.",
            },
            ["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthentication.Header,
                Description = "A key from POST /api/v1/auth/keys.",
            },
        };

        var secured = context.DescriptionGroups
            .SelectMany(group => group.Items)
            .Where(api => api.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any()
                && !api.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            .Select(api => (Path: "/" + api.RelativePath?.Split('?')[0].TrimEnd('/'), Method: api.HttpMethod))
            .ToHashSet();
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                if (secured.Contains((path.TrimEnd('/'), method.Method)))
                {
                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] },
                    ];
                }
            }
        }
        return Task.CompletedTask;
    }
}
