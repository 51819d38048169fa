using System.Text;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Grains.Projects;

/// <summary>Rules for project names and slugs.</summary>
public static class ProjectRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxSlugLength = 63;

    public static string? CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "name is required and cannot be blank";
        }
        return name.Trim().Length > MaxNameLength ? $"name is longer than {MaxNameLength} characters" : null;
    }

    public static string? CheckDescription(string? description) =>
        description is { Length: > MaxDescriptionLength } ? $"description is longer than {MaxDescriptionLength} characters" : null;

    public static string? CheckSlug(string? slug)
    {
        if (string.IsNullOrEmpty(slug))
        {
            return "slug is required";
        }
        if (ProjectIds.IsSlug(slug))
        {
            return null;
        }
        var hint = slug.Any(char.IsUpper) ? $" (did you mean '{slug.ToLowerInvariant()}'?)" : "";
        return $"slug '{slug}' is invalid{hint}: use 1-{MaxSlugLength} lowercase letters, digits and hyphens, not starting or ending with a hyphen";
    }

    /// <summary>A slug derived from a project name: "My Shop API" becomes "my-shop-api".</summary>
    public static string Slugify(string name)
    {
        var builder = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }
        var slug = builder.ToString().Trim('-');
        if (slug.Length > MaxSlugLength - 5)
        {
            slug = slug[..(MaxSlugLength - 5)].Trim('-');
        }
        return slug.Length == 0 ? "project" : slug;
    }
}
