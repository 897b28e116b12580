using System.Net;
using Clearinghouse.Gateway.Verification;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>SPF macro-strings (domain-specs of records published in DNS), checked and expanded.</summary>
public sealed class SpfMacroTarget : TextFuzzTarget
{
    private static readonly SpfMacroContext[] Contexts =
    [
        new(IPAddress.Parse("192.0.2.3"), "first.last", "example.com", "mail.example.com"),
        new(IPAddress.Parse("2001:db8::cb01"), "user+tag", "sub.example.org", null),
        new(IPAddress.Parse("198.51.100.7"), "", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z", ""),
    ];

    public override string Name => "spf-macro";

    public override string Description =>
        "SpfMacro.IsValidMacroString and TryExpand (src/Gateway/Verification/SpfMacro.cs) for IPv4 and IPv6 clients. " +
        "A macro-string expands exactly when it is valid, and an expansion longer than 253 characters is cut to fit " +
        "(RFC 7208 section 4.8) unless it has no dot left to cut at.";

    public override IReadOnlyList<string> Dictionary => ["%{", "}", "%%", "%_", "%-", "s", "l", "o", "d", "i", "p", "v", "h", "c", "r", "t", "r}", ".", "-", "+", ",", "/", "_", "="];

    public override FuzzOutcome Execute(string text)
    {
        var valid = SpfMacro.IsValidMacroString(text);
        var context = Contexts[text.Length % Contexts.Length];
        var expanded = SpfMacro.TryExpand(text, context, context.SenderDomain, out var expansion);
        InvariantViolation.CheckEqual(valid, expanded, $"whether {InputText.Quote(text)} expands, against whether it is valid");
        if (expanded)
        {
            InvariantViolation.Check(expansion.Length <= 253 || !expansion.Contains('.'), $"an expansion of {expansion.Length} characters was not cut to 253");
        }

        return valid ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    protected override IEnumerable<string> SeedTexts() =>
        ["%{d}", "%{ir}.%{v}._spf.%{d2}", "%{l1r-}.%{o}", "%{s}", "%{h}", "%{p}", "%%%_%-", "_spf.example.com", "%{c}", "%{d0}", "%{i99999999999}", "%"];

    protected override string GenerateText(FuzzRandom random) => Grammars.MacroString(random);
}
