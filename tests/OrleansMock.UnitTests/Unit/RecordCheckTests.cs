using OrleansMock.GrainInterfaces;
using OrleansMock.Grains.Resources;
using OrleansMock.Grains.Safety;

namespace OrleansMock.Tests.Unit;

public sealed class RecordCheckTests
{
    [Fact]
    public void Size_comes_first_then_the_schema_names_each_failed_rule()
    {
        var check = new RecordCheck("users", maxRecordBytes: 40);
        check.UseSchema("""{"type":"object","required":["name"]}""");
        Assert.Equal(OutcomeKind.TooLarge, check.Check($$"""{"name":"{{new string('x', 50)}}"}""")!.Kind);
        var refused = check.Check("""{"age":1}""")!;
        Assert.Equal(OutcomeKind.Unprocessable, refused.Kind);
        Assert.Contains(refused.Failures!, f => f.Rule == "required");
        Assert.Null(check.Check("""{"name":"Ada"}"""));
    }

    [Fact]
    public void A_schema_that_no_longer_compiles_refuses_writes_with_the_reason()
    {
        var check = new RecordCheck("users", 1000);
        check.UseSchema("""{"$ref":"#/nowhere"}""");
        var refused = check.Check("{}");
        Assert.NotNull(refused);
        Assert.Contains("cannot be used", refused!.Error);
        check.UseSchema(null);
        Assert.Null(check.Check("{}"));
    }

    [Fact]
    public void A_shared_budget_bounds_a_whole_seed()
    {
        var check = new RecordCheck("users", 100_000) { SharedBudget = new WorkBudget(TimeSpan.Zero) };
        check.UseSchema("""{"properties":{"name":{"pattern":"^(a|aa)+(?=b)"}}}""");
        check.SharedBudget.Exhaust();
        Assert.Equal(OutcomeKind.Unprocessable, check.Check("""{"name":"aaaa"}""")!.Kind);
    }
}
