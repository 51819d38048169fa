namespace OrleansMock.Api.Http;

/// <summary>
/// A field of an imported format (a WireMock mapping, a Postman collection) that we cannot represent: answered 422
/// naming the field, never dropped silently.
/// </summary>
public sealed class UnsupportedFieldException(string fieldName, string message) : Exception($"{fieldName}: {message}")
{
    public string Field => fieldName;
}
