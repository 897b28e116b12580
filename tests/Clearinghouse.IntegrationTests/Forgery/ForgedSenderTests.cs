using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MimeKit;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Issue 13's forged senders, end to end: reports through gRPC from ten providers, DMARC records on a DNS server on
/// loopback, failure reports received by a real SMTP server.
/// </summary>
[Collection(ForgeryCollection.Name)]
public class ForgedSenderTests(ForgerySiteFixture fixture)
{
    private static readonly AuthenticationResults SpfFail = new() { Spf = SpfResult.Fail };
    private static readonly AuthenticationResults SpfPass = new() { Spf = SpfResult.Pass };

    [Fact]
    public async Task A_thousand_spf_fail_reports_from_ten_providers_never_list_the_sender_and_its_owner_gets_one_report_per_period()
    {
        fixture.Dns.Txt("_dmarc.bank.example", "v=DMARC1; p=reject; ruf=mailto:dmarc-failures@bank.example; fo=1");
        const string ceo = "ceo@bank.example";

        var submitting = Stopwatch.StartNew();
        var answers = await SubmitAsync(ceo, 1000, SpfFail, "");
        submitting.Stop();
        Assert.All(answers, a => Assert.Equal((SenderAuthentication.Forged, EscalationState.None), (a.Authentication, a.SenderState)));

        var status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = ceo });
        Assert.Equal(EscalationState.None, status.State);
        Assert.Equal((0u, 0u, 0), (status.Standing.DistinctRecipients, status.Standing.DistinctProviders, status.ReportingProviders.Count));
        Assert.Equal((0ul, 0ul, 1000ul), (status.Authentication.Verified, status.Authentication.Unverified, status.Authentication.Forged));
        Assert.Equal(1000ul, status.DomainForgery.ForgedReports);
        Assert.Equal(0u, status.DomainStanding.DistinctRecipients);

        // Every report reaches the owner's ruf= address, aggregated: one report per period the reports spanned.
        var reports = await WaitForIncidentsAsync("dmarc-failures@bank.example", 1000);
        var periods = 1 + (int)(submitting.Elapsed / ForgerySiteFixture.ReportPeriod);
        Assert.InRange(reports.Count, 1, periods);
        foreach (var report in reports)
        {
            var feedback = AssertAuthFailureReport(report, "bank.example");
            Assert.Equal("<ceo@bank.example>", feedback.Fields["Original-Mail-From"]);
        }

        // Nothing was listed, and nothing reached the fallback for this domain.
        status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = ceo });
        Assert.Equal(EscalationState.None, status.State);
        Assert.True(status.DomainForgery.FailureReportsQueued >= 1);
        Assert.DoesNotContain(fixture.Smtp.Messages(), m => Feedback(m)?.Fields["Reported-Domain"] == "bank.example" && IsTo(m, ForgerySiteFixture.Fallback));
    }

    [Fact]
    public async Task The_same_count_from_an_spf_pass_sender_lists_it()
    {
        const string sender = "news@realbank.example";
        var answers = await SubmitAsync(sender, 1000, SpfPass, "");
        Assert.All(answers, a => Assert.Equal(SenderAuthentication.Verified, a.Authentication));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        SenderReport status;
        while ((status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).State != EscalationState.Listed)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the verified sender is {status.State}, not listed");
            await Task.Delay(100);
        }

        Assert.Equal(1000ul, status.Authentication.Verified);
        Assert.Equal(10u, status.Standing.DistinctProviders);
    }

    [Fact]
    public async Task A_report_without_results_counts_as_unverified_and_toward_listing_as_before()
    {
        var sender = $"plain-{Guid.NewGuid():N}@bulk.example";
        var answers = await SubmitAsync(sender, 6, null, "");
        Assert.All(answers, a => Assert.Equal(SenderAuthentication.Unverified, a.Authentication));
        var status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        Assert.Equal((6ul, 6u), (status.Authentication.Unverified, status.Standing.DistinctRecipients));
        Assert.NotEqual(EscalationState.None, status.State);
    }

    [Fact]
    public async Task The_authentication_results_header_alone_classifies_a_report()
    {
        var sender = $"hdr-{Guid.NewGuid():N}@headerbank.example";
        var answers = await SubmitAsync(sender, 1, null, "Authentication-Results: mx.p0.example; spf=none; dkim=none; dmarc=fail header.from=headerbank.example");
        Assert.Equal(SenderAuthentication.Forged, answers[0].Authentication);
        var status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        Assert.Equal((1ul, 1ul), (status.Authentication.Forged, status.DomainForgery.DmarcFailures));
    }

    [Fact]
    public async Task An_outside_ruf_address_without_the_authorisation_record_receives_nothing()
    {
        fixture.Dns.Txt("_dmarc.victim.example", "v=DMARC1; p=reject; ruf=mailto:bystander@third.example");
        await SubmitAsync("ceo@victim.example", 3, SpfFail, "");

        // The report goes to the configured fallback instead; the bystander gets nothing.
        var fallback = await WaitForIncidentsAsync(ForgerySiteFixture.Fallback, 3, "victim.example");
        AssertAuthFailureReport(Assert.Single(fallback), "victim.example");
        Assert.DoesNotContain(fixture.Smtp.Messages(), m => IsTo(m, "bystander@third.example"));
    }

    [Fact]
    public async Task An_outside_ruf_address_that_authorises_the_domain_receives_the_report()
    {
        fixture.Dns.Txt("_dmarc.client.example", "v=DMARC1; p=reject; ruf=mailto:collector@reports-vendor.example");
        fixture.Dns.Txt("client.example._report._dmarc.reports-vendor.example", "v=DMARC1");
        await SubmitAsync("ceo@client.example", 2, SpfFail, "");

        var received = await WaitForIncidentsAsync("collector@reports-vendor.example", 2, "client.example");
        AssertAuthFailureReport(Assert.Single(received), "client.example");
    }

    [Fact]
    public async Task A_violation_found_by_a_check_carries_the_verdict_paths_spf_fail_and_counts_as_forged()
    {
        fixture.Dns.Txt("checkedbank.example", "v=spf1 ip4:192.0.2.10 -all");
        var sender = $"ceo-{Guid.NewGuid():N}@checkedbank.example";
        var recipient = $"user-{Guid.NewGuid():N}@{ForgerySiteFixture.ProviderDomain(0)}";
        var key = ForgerySiteFixture.ProviderKey(0);
        var now = DateTimeOffset.UtcNow;
        await fixture.Host.DoNotSend(key).RecordRequestAsync(new RecordDoNotSendRequest
        {
            Recipient = recipient,
            Sender = sender,
            Method = DoNotSendMethod.Reply,
            RequestedAt = Timestamp.FromDateTimeOffset(now.AddDays(-4)),
            FirstMessage = Evidence("first", now.AddDays(-5)),
        });

        var verdict = await fixture.Host.Verdicts(key).CheckRecipientAsync(new CheckRecipientRequest
        {
            Sender = sender,
            Recipient = recipient,
            ClientIp = "198.51.100.77",
            MessageId = $"<forged-{Guid.NewGuid():N}@forger.example>",
        });
        Assert.True(verdict.ViolationRecorded);
        Assert.Equal(SpfResult.Fail, verdict.SpfResult);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        SenderReport status;
        while ((status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).Authentication.Forged == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the check's violation did not reach the sender as forged");
            await Task.Delay(50);
        }

        Assert.Equal((0ul, 0u), (status.Authentication.Verified + status.Authentication.Unverified, status.Standing.DistinctRecipients));
    }

    private async Task<List<SubmitViolationResponse>> SubmitAsync(string sender, int count, AuthenticationResults? authentication, string header)
    {
        var now = DateTimeOffset.UtcNow;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var clients = Enumerable.Range(0, 10).Select(p => fixture.Host.Reports(ForgerySiteFixture.ProviderKey(p))).ToArray();
        var answers = new SubmitViolationResponse[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellation) =>
        {
            var provider = i % 10;
            var request = new SubmitViolationRequest
            {
                ReportId = $"{tag}-{i}",
                Recipient = $"user{i}-{tag}@{ForgerySiteFixture.ProviderDomain(provider)}",
                Sender = sender,
                RequestMethod = DoNotSendMethod.OneClick,
                FirstMessage = Evidence($"first-{tag}-{i}", now.AddDays(-5)),
                RequestedAt = Timestamp.FromDateTimeOffset(now.AddDays(-4)),
                SecondMessage = Evidence($"second-{tag}-{i}", now.AddHours(-1)),
                AuthenticationResultsHeader = header,
            };
            if (authentication is not null)
            {
                request.Authentication = authentication;
            }

            // As a provider does on a busy cluster: a report is idempotent, so one that timed out is sent again.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    answers[i] = await clients[provider].SubmitViolationAsync(request, cancellationToken: cancellation);
                    break;
                }
                catch (RpcException error) when (error.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Unavailable && attempt < 5)
                {
                    await Task.Delay(200 * attempt, cancellation);
                }
            }
        });
        return [.. answers];
    }

    /// <summary>Waits until the failure reports to <paramref name="to"/> (about <paramref name="domain"/>) add up to <paramref name="incidents"/>.</summary>
    private async Task<List<MimeMessage>> WaitForIncidentsAsync(string to, long incidents, string domain = "bank.example")
    {
        var deadline = DateTime.UtcNow + (ForgerySiteFixture.ReportPeriod * 4) + TimeSpan.FromSeconds(20);
        while (true)
        {
            var reports = fixture.Smtp.Messages()
                .Where(m => IsTo(m, to) && m.Body is MultipartReport && Feedback(m)?.Fields["Reported-Domain"] == domain)
                .ToList();
            var total = reports.Sum(m => long.Parse(Feedback(m)!.Fields["Incidents"] ?? "0", CultureInfo.InvariantCulture));
            if (total >= incidents)
            {
                Assert.Equal(incidents, total);
                return reports;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{to} received reports of {total} incidents at {domain}, not {incidents}");
            await Task.Delay(100);
        }
    }

    /// <summary>Checks an RFC 6591 report's structure; its feedback part.</summary>
    private static MessageFeedbackReport AssertAuthFailureReport(MimeMessage message, string domain)
    {
        var report = Assert.IsType<MultipartReport>(message.Body);
        Assert.Equal("feedback-report", report.ReportType);
        Assert.Equal(3, report.Count);
        Assert.IsType<TextPart>(report[0]);
        Assert.IsType<TextRfc822Headers>(report[2]);
        var feedback = Assert.IsType<MessageFeedbackReport>(report[1]);
        Assert.Equal("auth-failure", feedback.Fields["Feedback-Type"]);
        Assert.Contains(feedback.Fields["Auth-Failure"], new[] { "spf", "dmarc" });
        Assert.Equal(domain, feedback.Fields["Reported-Domain"]);
        Assert.Equal("1", feedback.Fields["Version"]);
        Assert.True(long.Parse(feedback.Fields["Incidents"] ?? "0", CultureInfo.InvariantCulture) > 0);
        Assert.Contains("spf=", feedback.Fields["Authentication-Results"]);
        return feedback;
    }

    private static MessageFeedbackReport? Feedback(MimeMessage message) =>
        (message.Body as MultipartReport)?.OfType<MessageFeedbackReport>().FirstOrDefault();

    private static bool IsTo(MimeMessage message, string address) =>
        message.To.Mailboxes.Any(m => string.Equals(m.Address, address, StringComparison.OrdinalIgnoreCase));

    private static MessageEvidence Evidence(string id, DateTimeOffset date) => new()
    {
        MessageId = $"<{id}-{Guid.NewGuid():N}@bulk.example>",
        Date = Timestamp.FromDateTimeOffset(date),
        HeaderDigest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))),
    };
}
