using Bogus;

namespace OrleansMock.Grains.Responses;

/// <summary>The fake data <c>{{faker 'name.firstName'}}</c> can produce (Bogus, English locale). README lists the names.</summary>
public static class FakeData
{
    private static readonly Dictionary<string, Func<Faker, string>> Generators = new(StringComparer.OrdinalIgnoreCase)
    {
        ["name.firstName"] = f => f.Name.FirstName(),
        ["name.lastName"] = f => f.Name.LastName(),
        ["name.fullName"] = f => f.Name.FullName(),
        ["name.jobTitle"] = f => f.Name.JobTitle(),
        ["internet.email"] = f => f.Internet.Email(),
        ["internet.userName"] = f => f.Internet.UserName(),
        ["internet.url"] = f => f.Internet.Url(),
        ["internet.ip"] = f => f.Internet.Ip(),
        ["address.streetAddress"] = f => f.Address.StreetAddress(),
        ["address.city"] = f => f.Address.City(),
        ["address.country"] = f => f.Address.Country(),
        ["address.zipCode"] = f => f.Address.ZipCode(),
        ["phone.phoneNumber"] = f => f.Phone.PhoneNumber(),
        ["company.name"] = f => f.Company.CompanyName(),
        ["commerce.productName"] = f => f.Commerce.ProductName(),
        ["commerce.price"] = f => f.Commerce.Price(),
        ["lorem.word"] = f => f.Lorem.Word(),
        ["lorem.sentence"] = f => f.Lorem.Sentence(),
        ["lorem.paragraph"] = f => f.Lorem.Paragraph(),
        ["random.uuid"] = f => f.Random.Guid().ToString(),
        ["random.number"] = f => f.Random.Number(0, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["date.past"] = f => f.Date.Past().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["date.future"] = f => f.Date.Future().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
    };

    [ThreadStatic]
    private static Faker? _faker;

    public static IEnumerable<string> Names => Generators.Keys;

    public static string Generate(string name) =>
        Generators.TryGetValue(name, out var generate)
            ? generate(_faker ??= new Faker("en"))
            : throw new TemplateException($"faker '{name}' is not known; use one of {string.Join(", ", Generators.Keys)}");
}
