using Clearinghouse.Domain;
using MimeKit;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>E-mail addresses and IM handles: senders and recipients of every API.</summary>
public sealed class AddressTarget : TextFuzzTarget
{
    public override string Name => "address";

    public override string Description =>
        "Address.TryParse and Parse (src/Domain/Addresses/Address.cs), with and without the null sender. An accepted address " +
        "is within the RFC 5321 limits, lower case, free of control characters, parses back to itself (sender grains " +
        "are keyed by it and parse their key), and MimeKit can name it in an ARF report.";

    public override IReadOnlyList<string> Dictionary => ["@", "<", ">", "<>", "\"", "\\", ".", "[", "]", "[IPv6:", "xn--", "postmaster", ".example"];

    public override FuzzOutcome Execute(string text)
    {
        var outcome = FuzzOutcome.Rejected;
        foreach (var allowNullSender in (bool[])[false, true])
        {
            var accepted = Address.TryParse(text, out var address, out var problem, allowNullSender);
            DomainInvariants.CheckParseAgrees(accepted, problem, () => Address.Parse(text, "sender", allowNullSender), "sender");
            if (!accepted)
            {
                continue;
            }

            outcome = FuzzOutcome.Accepted;
            InvariantViolation.Check(allowNullSender || !address.IsNullSender, "the null sender is accepted where it is not allowed");
            DomainInvariants.CheckAddress(address);
            if (!address.IsNullSender)
            {
                CheckMimeKitAccepts(address);
            }
        }

        return outcome;
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "alice@example.com", "  Alice@Example.COM ", "<Bob@Example.com>", "user+tag@mail.example.org.", "x@bücher.example",
        "Jörg@Bücher.Example", "\"john doe\"@example.com", "\"a\\\"b\"@example.com", "postmaster@[192.0.2.1]",
        "postmaster@[IPv6:2001:db8::1]", "alice@xmpp", "<>", "", new string('a', 64) + "@example.com",
        "a@" + string.Join('.', Enumerable.Repeat(new string('b', 63), 3)) + ".com", "o'brien@example.ie", "用户@例え.jp",
    ];

    protected override string GenerateText(FuzzRandom random) => Grammars.Address(random);

    // ArfReport names the sender with MailboxAddress.Parse: an accepted sender MimeKit refuses could never be reported.
    private static void CheckMimeKitAccepts(Address address)
    {
        try
        {
            MailboxAddress.Parse(address.Value);
        }
        catch (ParseException error)
        {
            throw new InvariantViolation($"MimeKit cannot parse the accepted address {InputText.Quote(address.Value)} ({error.Message}), so no ARF report can name it");
        }
    }
}
