using OrleansMock.Api.MockTraffic;
using OrleansMock.Api.Http;
using OrleansMock.GrainInterfaces;

namespace OrleansMock.Tests.Unit;

public sealed class RedactionTests
{
    private static readonly Redaction Default = new(new MockLimits().RedactNames);

    [Theory]
    [InlineData("Authorization")]
    [InlineData("X-Auth-Token")]
    [InlineData("X-Amz-Security-Token")]
    [InlineData("api_key")]
    [InlineData("X-Api-Key")]
    [InlineData("client_secret")]
    [InlineData("Set-Cookie")]
    [InlineData("refreshToken")]
    public void Credential_names_are_secret(string name) => Assert.True(Default.IsSecret(name));

    [Theory]
    [InlineData("X-Trace")]
    [InlineData("page")]
    [InlineData("user")]
    public void Ordinary_names_are_not(string name) => Assert.False(Default.IsSecret(name));

    [Fact]
    public void A_cut_short_json_preview_is_masked_too() =>
        Assert.Equal("""{"a":1,"password": "[redacted]","b":"x""", Default.Body("""{"a":1,"password": "hunter2","b":"x""", "application/json"));

    [Fact]
    public void Form_bodies_are_masked_like_queries() =>
        Assert.Equal("user=ada&password=%5Bredacted%5D", Default.Body("user=ada&password=hunter2", "application/x-www-form-urlencoded"));

    [Fact]
    public void The_list_is_configurable() => Assert.True(new Redaction(["pin"]).IsSecret("card_PIN") && !new Redaction(["pin"]).IsSecret("password"));
}
