using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansMock.GrainInterfaces;
using OrleansMock.Silo.Hosting;

namespace OrleansMock.Tests.Unit;

public sealed class OrleansMockOptionsTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void No_settings_mean_the_embedded_default()
    {
        var options = OrleansMockOptions.Read(Settings());
        Assert.Equal(HostingMode.Embedded, options.Mode);
        Assert.Equal(StorageProvider.Embedded, options.Storage.Provider);
        Assert.Equal(Path.GetFullPath("data"), options.DataPath);
        Assert.Null(options.Silo.SiloPort);
        Assert.Equal(OrleansMockOptions.DefaultGatewayPort, options.Silo.GatewayPort);
    }

    [Fact]
    public void Choices_are_read_case_insensitively_and_an_empty_value_is_the_default()
    {
        var options = OrleansMockOptions.Read(Settings(("OrleansMock:Mode", "cluster"), ("OrleansMock:Storage:Provider", "")));
        Assert.Equal(HostingMode.Cluster, options.Mode);
        Assert.Equal(StorageProvider.Embedded, options.Storage.Provider);
    }

    [Theory]
    [InlineData("OrleansMock:Mode", "1")] // a number is not a name, even though it is a member's value
    [InlineData("OrleansMock:Mode", "Sideways")]
    [InlineData("OrleansMock:Storage:Provider", "Floppy")]
    public void An_unknown_choice_names_the_key_the_value_and_the_choices(string key, string value)
    {
        var exception = Assert.Throws<InvalidOperationException>(() => OrleansMockOptions.Read(Settings((key, value))));
        Assert.Contains($"'{key}'", exception.Message);
        Assert.Contains($"'{value}' is not one of", Assert.IsType<FormatException>(exception.InnerException).Message);
    }

    [Fact]
    public void Every_invalid_setting_gets_its_own_message_naming_its_key()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => OrleansMockOptions.Read(Settings(
            ("OrleansMock:Silo:SiloPort", "-1"), ("OrleansMock:Silo:GatewayPort", "65536"), ("OrleansMock:Silo:AdvertisedAddress", "example.com"),
            ("OrleansMock:Cluster:ServiceId", "with space"), ("OrleansMock:Cluster:ClusterId", new string('c', 101)),
            ("OrleansMock:Dashboard:Enabled", "true"))));
        Assert.Collection(exception.Failures,
            f => Assert.StartsWith("OrleansMock:Silo:SiloPort='-1'", f),
            f => Assert.StartsWith("OrleansMock:Silo:GatewayPort='65536'", f),
            f => Assert.StartsWith("OrleansMock:Silo:AdvertisedAddress='example.com'", f),
            f => Assert.StartsWith("OrleansMock:Cluster:ServiceId='with space'", f),
            f => Assert.StartsWith("OrleansMock:Cluster:ClusterId=", f),
            f => Assert.Contains("needs OrleansMock:Dashboard:AdminKey", f));
    }

    [Fact]
    public void Registered_options_are_bound_once_and_validated_when_resolved()
    {
        var settings = Settings(("OrleansMock:Silo:GatewayPort", "99999"), ("OrleansMock:Limits:MaxDelayMs", "1234"));
        var services = new ServiceCollection()
            .AddOrleansMockOptions(settings)
            .AddOrleansMockOptions(settings); // an embedded silo and its front end both ask: registered once
        Assert.Single(services, s => s.ServiceType == typeof(IValidateOptions<OrleansMockOptions>));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(1234, provider.GetRequiredService<IOptions<MockLimits>>().Value.MaxDelayMs);
        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OrleansMockOptions>>().Value);
        Assert.Contains("OrleansMock:Silo:GatewayPort='99999' is not a TCP port (0-65535).", exception.Failures);
    }

    [Fact]
    public void Limits_and_tester_settings_are_validated_too_one_message_per_key()
    {
        // MaxDelayMs=-5 was accepted (issue 29.6); a budget of 0 would refuse every template, project or stream.
        var settings = Settings(("OrleansMock:Limits:MaxDelayMs", "-5"), ("OrleansMock:Limits:MaxTemplateSteps", "0"),
            ("OrleansMock:Limits:MaxProjectBytes", "-1"), ("OrleansMock:Limits:RequestLogSize", "0"),
            ("OrleansMock:Tester:WorkspaceMaxBytes", "0"), ("OrleansMock:Tester:MaxRedirects", "0"));
        using var provider = new ServiceCollection().AddOrleansMockOptions(settings).BuildServiceProvider();
        var limits = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MockLimits>>().Value);
        Assert.Equal(
            ["OrleansMock:Limits:MaxProjectBytes='-1' must be at least 1.", "OrleansMock:Limits:MaxTemplateSteps='0' must be at least 1.",
             "OrleansMock:Limits:MaxDelayMs='-5' must be at least 0."],
            limits.Failures);
        var tester = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TesterOptions>>().Value);
        Assert.Equal(["OrleansMock:Tester:WorkspaceMaxBytes='0' must be at least 1."], tester.Failures); // 0 redirects is allowed
    }

    [Theory]
    [InlineData(null, null, 6000)] // README's run command: the embedded default on one machine
    [InlineData("cluster", null, 100)] // hosted: the strict default
    [InlineData(null, "50", 50)] // what an operator sets wins
    public void The_per_client_mock_limit_is_local_friendly_only_in_the_embedded_default(string? mode, string? limit, int expected)
    {
        var settings = new List<(string, string)> { ("OrleansMock:Storage:Provider", "") };
        if (mode is not null)
        {
            settings.Add(("OrleansMock:Mode", mode));
        }
        if (limit is not null)
        {
            settings.Add(("OrleansMock:RateLimits:MockPerClient:Limit", limit));
        }
        using var provider = new ServiceCollection().AddOrleansMockOptions(Settings([.. settings])).BuildServiceProvider();
        Assert.Equal(expected, provider.GetRequiredService<IOptions<RateLimitOptions>>().Value.MockPerClient.Limit);
    }

    [Fact]
    public void Rate_limit_settings_are_validated_one_message_per_key()
    {
        var settings = Settings(("OrleansMock:RateLimits:Management:WindowSeconds", "0"), ("OrleansMock:RateLimits:MockPerClient:Limit", "-1"),
            ("OrleansMock:RateLimits:Ipv6PrefixLength", "200"), ("OrleansMock:RateLimits:MockPerProject:MaxLimit", "-10"),
            ("OrleansMock:RateLimits:LoginPerClient:Limit", "0"));
        using var provider = new ServiceCollection().AddOrleansMockOptions(settings).BuildServiceProvider();
        var limits = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        Assert.Equal(
            ["OrleansMock:RateLimits:MockPerClient:Limit='-1' must be at least 0 (0 turns the policy off).",
             "OrleansMock:RateLimits:MockPerProject:MaxLimit='-10' must be at least 0.",
             "OrleansMock:RateLimits:Management:WindowSeconds='0' must be at least 1.",
             "OrleansMock:RateLimits:Ipv6PrefixLength='200' must be at most 128."],
            limits.Failures); // a limit of 0 turns a policy off: allowed
    }
}
