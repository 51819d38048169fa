using OrleansMock.Grains.Matching;

namespace OrleansMock.Grains.Responses;

/// <summary>A date of a template (<c>parseDate</c>, <c>truncateDate</c>): prints as WireMock prints one, ISO 8601 to the second.</summary>
public sealed record TemplateDate(DateTimeOffset Value)
{
    public override string ToString() => JavaDates.Format(Value, Value.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ssXXX");
}
