using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Delisting;

/// <summary>The rules of a subject's delisting requests: who may prove how, how often, self-service and review, expiry.</summary>
public class DelistingBookTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ListedSubject Sender = ListedSubject.Parse("News@Shop.example", "subject");
    private static readonly ListedSubject Domain = ListedSubject.Parse("shop.example", "subject");

    private static DelistingOptions Options(bool mail = true) => new()
    {
        SelfServiceLimit = 2,
        SelfServicePeriod = TimeSpan.FromDays(90),
        RequestsPerSubject = 3,
        RequestWindow = TimeSpan.FromDays(1),
        ProofTimeout = TimeSpan.FromHours(24),
        KeptRequests = 5,
        Mail = mail ? new SmtpRelaySettings { Host = "relay.example", From = "delisting@clearinghouse.example" } : null,
    };

    [Fact]
    public void Subjects_parse_as_addresses_domains_or_IP_addresses_and_nothing_else()
    {
        Assert.Equal((SubjectKind.Address, "news@shop.example"), (Sender.Kind, Sender.Value));
        Assert.Equal("address:news@shop.example", Sender.Key);
        Assert.Equal(Sender, ListedSubject.FromKey(Sender.Key));
        Assert.Equal((SubjectKind.Domain, "shop.example"), (Domain.Kind, Domain.Value));
        Assert.Equal((SubjectKind.Ip, "2001:db8::1"), (ListedSubject.Parse("2001:DB8::1", "q").Kind, ListedSubject.Parse("2001:DB8::1", "q").Value));
        Assert.Equal(FilterEntry.ForAddress(Address.Parse("news@shop.example", "a")), Sender.Entry);
        Assert.Equal("_clearinghouse-delist.shop.example", DelistingBook.DnsRecordName(Sender));
        foreach (var bad in new[] { "", "12345", "localhost", "a@", "bad domain.example" })
        {
            Assert.Equal("q", Assert.Throws<InvalidFieldException>(() => ListedSubject.Parse(bad, "q")).Field);
        }
    }

    [Fact]
    public void An_address_proves_by_mail_or_DNS_a_domain_only_by_DNS_and_an_IP_address_not_at_all()
    {
        var book = new DelistingBook(new DelistingState(), Options());
        var byMail = book.Open(Sender, ProofMethod.Email, "", "192.0.2.1", Now, out var token);
        Assert.NotNull(token);
        Assert.Equal(Sha256Hex.Of(token!), byMail.TokenSha256);
        Assert.Null(byMail.DnsToken);
        Assert.True(DelistingBook.TokenMatches(byMail, token));
        Assert.False(DelistingBook.TokenMatches(byMail, token + "x"));

        var byDns = book.Open(Domain, ProofMethod.Dns, "", "192.0.2.1", Now, out var none);
        Assert.Null(none);
        Assert.NotNull(byDns.DnsToken);
        Assert.False(DelistingBook.TokenMatches(byDns, byDns.DnsToken));

        Assert.Equal("method", Assert.Throws<InvalidFieldException>(() => book.Open(Domain, ProofMethod.Email, "", "192.0.2.1", Now, out _)).Field);
        Assert.Equal("subject", Assert.Throws<InvalidFieldException>(() => book.Open(ListedSubject.Parse("192.0.2.9", "s"), ProofMethod.Dns, "", "192.0.2.1", Now, out _)).Field);
        Assert.Equal("method", Assert.Throws<InvalidFieldException>(() => new DelistingBook(new DelistingState(), Options(mail: false)).Open(Sender, ProofMethod.Email, "", "192.0.2.1", Now, out _)).Field);
        Assert.Equal("explanation", Assert.Throws<InvalidFieldException>(() => book.Open(Sender, ProofMethod.Dns, new string('x', 1001), "192.0.2.1", Now, out _)).Field);
    }

    [Fact]
    public void A_subject_may_make_a_few_requests_a_window_and_is_told_when_to_retry()
    {
        var book = new DelistingBook(new DelistingState(), Options());
        book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", Now, out _);
        book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", Now.AddHours(1), out _);
        book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", Now.AddHours(2), out _);

        var refused = Assert.Throws<TooManyRequestsException>(() => book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", Now.AddHours(3), out _));
        Assert.Equal(TimeSpan.FromHours(21), refused.RetryAfter);
        book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", Now.AddHours(24.5), out _);
    }

    [Fact]
    public void Self_service_removes_up_to_the_limit_in_the_period_then_operators_review()
    {
        var book = new DelistingBook(new DelistingState(), Options());
        var at = Now;
        for (var i = 0; i < 2; i++)
        {
            Assert.True(book.SelfServiceAvailable(at));
            var request = book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", at, out _);
            book.Prove(request, new DelistingProof(ProofMethod.Dns, at, "seen"), "192.0.2.1");
            book.SelfServiceRemoved(request, removed: true, at);
            Assert.Equal((DelistingStatus.Removed, AuditNames.SelfService), (request.Status, request.DecidedBy));
            at = at.AddDays(10);
        }

        Assert.False(book.SelfServiceAvailable(at));
        var third = book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", at, out _);
        book.Prove(third, new DelistingProof(ProofMethod.Dns, at, "seen"), "192.0.2.1");
        book.QueueForReview(third, at);
        Assert.Equal(DelistingStatus.PendingReview, third.Status);
        book.Reviewed(third, approved: false, removed: false, "alice", "still sending", at);
        Assert.Equal((DelistingStatus.Refused, "operator:alice", "still sending"), (third.Status, third.DecidedBy, third.DecisionReason));

        // A removal that found nothing listed does not use self-service up; the first removal leaves the period.
        var nothing = book.Open(Domain, ProofMethod.Dns, "", "192.0.2.1", at, out _);
        book.SelfServiceRemoved(nothing, removed: false, at);
        Assert.Equal(DelistingStatus.NotListed, nothing.Status);
        Assert.True(book.SelfServiceAvailable(Now.AddDays(91)));
        Assert.Equal(1, book.SelfServiceUsed(Now.AddDays(91)));
    }

    [Fact]
    public void A_request_without_proof_expires_at_its_deadline_and_every_step_is_queued_for_the_audit_trail()
    {
        var book = new DelistingBook(new DelistingState(), Options());
        var request = book.Open(Sender, ProofMethod.Email, "please", "192.0.2.1", Now, out _);
        book.MailSent(request);
        Assert.False(book.ExpireDue(Now.AddHours(24)));
        Assert.True(book.ExpireDue(Now.AddHours(24).AddSeconds(1)));
        Assert.Equal(DelistingStatus.Expired, request.Status);
        Assert.False(book.ExpireDue(Now.AddDays(2)));

        Assert.Equal([AuditNames.DelistingRequest, AuditNames.DelistingProofSent, AuditNames.DelistingExpired], book.PendingAudit.Select(e => e.Action));
        Assert.All(book.PendingAudit, e => Assert.Equal(("sender:news@shop.example", request.Id), (e.Target, e.Details["request_id"])));
        Assert.Equal(("requester:192.0.2.1", "please"), (book.PendingAudit[0].Actor, book.PendingAudit[0].Reason));
        book.Audited(2);
        Assert.Equal([AuditNames.DelistingExpired], book.PendingAudit.Select(e => e.Action));
    }

    [Fact]
    public void Finished_requests_beyond_the_kept_number_go_oldest_first()
    {
        var state = new DelistingState();
        var book = new DelistingBook(state, Options());
        var at = Now;
        var ids = new List<string>();
        for (var i = 0; i < 8; i++, at = at.AddDays(2))
        {
            var request = book.Open(Sender, ProofMethod.Dns, "", "192.0.2.1", at, out _);
            book.SelfServiceRemoved(request, removed: false, at);
            ids.Add(request.Id);
        }

        Assert.Equal(ids.TakeLast(5), state.Requests.Select(r => r.Id));
    }
}
