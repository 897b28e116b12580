using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Escalation;
using MimeKit;

namespace Clearinghouse.UnitTests.Escalation;

/// <summary>
/// What each kind of destination receives of a case, as webhook JSON and as an ARF report: the exact set of fields at
/// its disclosure level, only its own evidence for a reporting provider, recipients only as identifiers keyed per
/// destination.
/// </summary>
public class DisclosureTests
{
    private const string Secret = "disclosure-test-secret-0123456789";
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Sender = Address.Parse("spam@bulk.example", "sender");
    private static readonly CaseDisclosure Disclosure = new(Secret);

    private static readonly string[] CaseFields =
    [
        "case_id", "delivery_id", "destination", "destination_kind", "disclosure", "sender", "sender_domain", "opened_at", "reason",
        "standing.reports_in_window", "standing.distinct_recipients", "standing.weighted_recipients", "standing.distinct_providers",
        "standing.verified_reports", "standing.unverified_reports", "standing.forged_reports", "reporter",
    ];

    private static readonly string[] MessageFields =
    [
        "violations[].channel", "violations[].source", "violations[].request_method", "violations[].requested_at", "violations[].reported_at", "violations[].sender_authentication",
        "violations[].first_message.message_id", "violations[].first_message.date", "violations[].first_message.header_digest",
        "violations[].second_message.message_id", "violations[].second_message.date", "violations[].second_message.header_digest",
    ];

    private static readonly string[] IdentityFields = ["reporting_providers", "violations[].report_id", "violations[].provider_id", "violations[].recipient_id"];

    private static ViolationReport Report(string provider, string recipient, int n) => new(
        $"v:{provider}-{n}", Sender, Sha256(recipient), provider,
        new MessageEvidence($"first-{provider}-{n}@bulk.example", Now.AddDays(-5), Sha256($"h1-{provider}-{n}")), DoNotSendMethod.OneClick, Now.AddDays(-4),
        new MessageEvidence($"second-{provider}-{n}@bulk.example", Now.AddHours(-n), Sha256($"h2-{provider}-{n}")), Now, ReportSource.Provider, MessageChannel.Email);

    // Two of acme's users and one of zeta's reported the sender.
    private static EscalationCase Case(string caseId = "case-1") => new(
        caseId, Sender, Now, new SenderStanding(3, 3, 3, 3, 2, Now), ["acme", "zeta"],
        [Report("acme", "ann@acme.example", 1), Report("zeta", "zoe@zeta.example", 2), Report("acme", "bob@acme.example", 3)],
        "3 distinct recipients at 2 providers");

    private static EscalationDestination Destination(DestinationKind kind, DisclosureLevel? level = null) => new()
    {
        Kind = kind,
        Provider = kind == DestinationKind.ReportingProvider ? "acme" : null,
        Disclosure = level,
        Webhook = new() { Url = "https://receiver.example/hook", Secret = "0123456789abcdef" },
    };

    private static JsonElement Json(DestinationKind kind, DisclosureLevel? level = null, string name = "dest")
    {
        var destination = Destination(kind, level);
        var document = EvidenceDocument.For(Disclosure.For(Case(), name, destination), $"case-1/{name}", name, kind, "Clearinghouse");
        return JsonDocument.Parse(document.ToUtf8()).RootElement.Clone();
    }

    private static MimeMessage Arf(DestinationKind kind, DisclosureLevel? level = null)
    {
        var settings = new ArfMailSettings { Host = "127.0.0.1", From = "reports@clearinghouse.example", To = "abuse@{sender_domain}" };
        var built = ArfReport.Build(settings, Disclosure.For(Case(), "dest", Destination(kind, level)), "case-1/dest", "Clearinghouse", Now);
        using var stream = new MemoryStream();
        built.WriteTo(stream);
        stream.Position = 0;
        return MimeMessage.Load(stream);
    }

    public static TheoryData<DestinationKind, DisclosureLevel> DefaultLevels() => new()
    {
        { DestinationKind.LawEnforcement, DisclosureLevel.Full },
        { DestinationKind.StateAuthority, DisclosureLevel.Full },
        { DestinationKind.FederalAuthority, DisclosureLevel.Full },
        { DestinationKind.SenderIsp, DisclosureLevel.Messages },
        { DestinationKind.ReportingProvider, DisclosureLevel.Full },
    };

    [Theory]
    [MemberData(nameof(DefaultLevels))]
    public void Each_kind_of_destination_receives_exactly_the_JSON_fields_of_its_default_level(DestinationKind kind, DisclosureLevel level)
    {
        Assert.Equal(level, EscalationDestination.DefaultDisclosure(kind));
        var root = Json(kind);
        Assert.Equal(Expected(level), FieldPaths(root));
        Assert.Equal(JsonNamingPolicy.SnakeCaseLower.ConvertName(level.ToString()), root.GetProperty("disclosure").GetString());
    }

    [Theory]
    [InlineData(DisclosureLevel.Counts)]
    [InlineData(DisclosureLevel.Messages)]
    [InlineData(DisclosureLevel.Full)]
    public void A_configured_level_decides_the_JSON_fields_whatever_the_kind(DisclosureLevel level)
    {
        foreach (var kind in Enum.GetValues<DestinationKind>())
        {
            Assert.Equal(Expected(level), FieldPaths(Json(kind, level)));
        }
    }

    [Theory]
    [MemberData(nameof(DefaultLevels))]
    public void Each_kind_of_destination_receives_exactly_the_ARF_fields_of_its_default_level(DestinationKind kind, DisclosureLevel level)
    {
        var mail = Arf(kind);
        var report = Assert.IsType<MultipartReport>(mail.Body);
        var summary = Assert.IsType<TextPart>(report[0]).Text;
        var feedback = Assert.IsType<MessageFeedbackReport>(report[1]);
        var headers = Assert.IsType<TextRfc822Headers>(report[2]).Message!;

        string[] always = ["Feedback-Type", "User-Agent", "Version", "Original-Mail-From", "Reported-Domain", "Incidents"];
        string[] expected = level == DisclosureLevel.Counts ? always : [.. always, "Arrival-Date"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), feedback.Fields.Select(f => f.Field).Order(StringComparer.Ordinal));
        Assert.Equal(level == DisclosureLevel.Counts ? null : "second-acme-1@bulk.example", headers.MessageId);
        Assert.Equal(level == DisclosureLevel.Full, summary.Contains("Reporting providers", StringComparison.Ordinal));
        Assert.Equal(level == DisclosureLevel.Full, summary.Contains("via acme", StringComparison.Ordinal));
        Assert.Equal(level != DisclosureLevel.Counts, summary.Contains("first-acme-1@bulk.example", StringComparison.Ordinal));
    }

    [Fact]
    public void At_the_counts_level_an_ARF_report_holds_no_message_identifier_date_or_reporter()
    {
        var text = Text(Arf(DestinationKind.SenderIsp, DisclosureLevel.Counts));
        foreach (var hidden in new[] { "first-", "second-", "acme", "zeta", "Arrival-Date" })
        {
            Assert.DoesNotContain(hidden, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_providers_receiver_finds_no_other_providers_identifiers_or_message_ids_in_anything_it_is_sent()
    {
        var json = Json(DestinationKind.ReportingProvider);
        var arf = Text(Arf(DestinationKind.ReportingProvider));
        var zetaTraces = new[] { "zeta", "first-zeta-2", "second-zeta-2", Sha256("zoe@zeta.example"), Sha256("h1-zeta-2"), Sha256("h2-zeta-2") };
        foreach (var text in new[] { json.GetRawText(), arf })
        {
            foreach (var trace in zetaTraces)
            {
                Assert.DoesNotContain(trace, text, StringComparison.Ordinal);
            }
        }

        // Its own evidence is all there.
        Assert.Equal(["acme"], json.GetProperty("reporting_providers").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["first-acme-1@bulk.example", "first-acme-3@bulk.example"],
            json.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("first_message").GetProperty("message_id").GetString()));
        Assert.Contains("second-acme-3@bulk.example", arf, StringComparison.Ordinal);

        // An authority sees every provider's evidence.
        Assert.Equal(3, Json(DestinationKind.LawEnforcement).GetProperty("violations").GetArrayLength());
    }

    [Fact]
    public void Recipient_identifiers_are_keyed_per_destination_stable_across_cases_and_confirm_no_guess()
    {
        string Id(string destination, string caseId) =>
            Disclosure.For(Case(caseId), destination, Destination(DestinationKind.LawEnforcement)).Case.Evidence[0].RecipientHash;

        var plain = Sha256("ann@acme.example");
        var police = Id("police", "case-1");
        Assert.Equal(police, Id("police", "case-2"));
        Assert.NotEqual(police, Id("ftc", "case-1"));
        Assert.NotEqual(plain, police);

        // Hashing a guess, with or without the destination's name, does not give the identifier: the key is secret.
        Assert.NotEqual(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("police"), Encoding.UTF8.GetBytes(plain))), police);
        Assert.NotEqual(police, new CaseDisclosure("another-secret-0123456789").For(Case(), "police", Destination(DestinationKind.LawEnforcement)).Case.Evidence[0].RecipientHash);

        // Report keys are keyed the same way.
        var report = Disclosure.For(Case(), "police", Destination(DestinationKind.LawEnforcement)).Case.Evidence[0].ReportKey;
        Assert.NotEqual("v:acme-1", report);
        Assert.Equal(64, report.Length);
    }

    private static SortedSet<string> Expected(DisclosureLevel level)
    {
        var fields = new SortedSet<string>(CaseFields, StringComparer.Ordinal);
        if (level >= DisclosureLevel.Messages)
        {
            fields.UnionWith(MessageFields);
        }

        if (level == DisclosureLevel.Full)
        {
            fields.UnionWith(IdentityFields);
        }

        return fields;
    }

    /// <summary>Every leaf's path: "standing.distinct_providers", "violations[].first_message.message_id".</summary>
    private static SortedSet<string> FieldPaths(JsonElement element, string prefix = "")
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    paths.UnionWith(FieldPaths(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}"));
                }

                break;
            case JsonValueKind.Array when element.EnumerateArray().Any(e => e.ValueKind is JsonValueKind.Object or JsonValueKind.Array):
                foreach (var item in element.EnumerateArray())
                {
                    paths.UnionWith(FieldPaths(item, prefix + "[]"));
                }

                break;
            default:
                paths.Add(prefix);
                break;
        }

        return paths;
    }

    private static string Text(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
