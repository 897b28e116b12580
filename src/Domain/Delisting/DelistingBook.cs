using System.Security.Cryptography;

namespace Clearinghouse.Domain;

/// <summary>
/// The rules of one subject's delisting requests, over its <see cref="DelistingState"/>: who may ask how, how often,
/// what counts as proof, when a proven request is removed at once (self-service, a limited number of times in a
/// period) and when operators review it. Every step it takes is queued for the audit trail with the state change.
/// </summary>
public sealed class DelistingBook(DelistingState state, DelistingOptions options)
{
    public const int MaxExplanationLength = 1000;
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public IReadOnlyList<DelistingRequest> Requests => state.Requests;

    public IReadOnlyList<AuditEvent> PendingAudit => state.PendingAudit;

    public static string DnsRecordName(ListedSubject subject) => $"{DelistingOptions.DnsLabel}.{subject.ProofDomain}";

    /// <summary>
    /// Opens a request; for <see cref="ProofMethod.Email"/> <paramref name="mailToken"/> is the secret to mail (only
    /// its hash is kept). Refuses a method the subject cannot prove by, and a subject past its request limit.
    /// </summary>
    public DelistingRequest Open(ListedSubject subject, ProofMethod method, string explanation, string requester, DateTimeOffset now, out string? mailToken)
    {
        if (subject.Kind == SubjectKind.Ip)
        {
            throw new InvalidFieldException("subject", "an IP address cannot prove control by mail or DNS: ask the clearing house's operators");
        }

        if (!Enum.IsDefined(method))
        {
            throw new InvalidFieldException("method", "must be email or dns");
        }

        if (method == ProofMethod.Email && subject.Kind != SubjectKind.Address)
        {
            throw new InvalidFieldException("method", "a domain proves control by DNS (method dns)");
        }

        if (method == ProofMethod.Email && options.Mail is null)
        {
            throw new InvalidFieldException("method", "confirmation by mail is not available here: prove control of the address's domain by DNS (method dns)");
        }

        var text = (explanation ?? "").Trim();
        if (text.Length > MaxExplanationLength || !IsText(text))
        {
            throw new InvalidFieldException("explanation", $"must be at most {MaxExplanationLength} characters of text");
        }

        var recent = state.Requests.Where(r => r.CreatedAt > now - options.RequestWindow).Select(r => r.CreatedAt).Order().ToList();
        if (recent.Count >= options.RequestsPerSubject)
        {
            var retryAfter = recent[^options.RequestsPerSubject] + options.RequestWindow - now;
            throw new TooManyRequestsException($"{subject}: at most {options.RequestsPerSubject} delisting requests in {options.RequestWindow.TotalHours:0.#} hours; retry later", retryAfter);
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var request = new DelistingRequest
        {
            Id = $"dl-{Guid.CreateVersion7(now):N}",
            Subject = subject,
            Method = method,
            CreatedAt = now,
            Requester = requester,
            Explanation = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)),
            TokenSha256 = method == ProofMethod.Email ? Sha256Hex.Of(token) : null,
            DnsToken = method == ProofMethod.Dns ? token : null,
            ProofDeadline = now + options.ProofTimeout,
            Status = DelistingStatus.AwaitingProof,
        };
        state.Requests.Add(request);
        Trim();
        mailToken = method == ProofMethod.Email ? token : null;
        Audit(AuditNames.Requester(requester), AuditNames.DelistingRequest, request, request.Explanation,
            [new("method", Name(method)), new("proof_deadline", request.ProofDeadline.ToString("u", System.Globalization.CultureInfo.InvariantCulture))]);
        return request;
    }

    public DelistingRequest Find(string requestId) =>
        state.Requests.Find(r => r.Id == requestId) ?? throw new InvalidFieldException("request_id", "there is no such request for this subject");

    /// <summary>Requests whose proof did not come in time become <see cref="DelistingStatus.Expired"/>; true when any did.</summary>
    public bool ExpireDue(DateTimeOffset now)
    {
        var any = false;
        foreach (var request in state.Requests.Where(r => r.Status == DelistingStatus.AwaitingProof && now > r.ProofDeadline))
        {
            request.Status = DelistingStatus.Expired;
            request.DecidedAt = now;
            Audit(AuditNames.SelfService, AuditNames.DelistingExpired, request, "no proof before the deadline", []);
            any = true;
        }

        return any;
    }

    public void MailSent(DelistingRequest request) =>
        Audit(AuditNames.SelfService, AuditNames.DelistingProofSent, request, "", [new("sent_to", request.Subject.Value)]);

    public void MailFailed(DelistingRequest request, string error, DateTimeOffset now)
    {
        request.Status = DelistingStatus.MailFailed;
        request.DecidedAt = now;
        Audit(AuditNames.SelfService, AuditNames.DelistingProofFailed, request, "the confirmation mail could not be sent", [new("error", error)]);
    }

    /// <summary>Whether <paramref name="token"/> is the one mailed for <paramref name="request"/> (compared in constant time).</summary>
    public static bool TokenMatches(DelistingRequest request, string? token)
    {
        if (request.TokenSha256 is null || string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(Sha256Hex.Of(token)), Convert.FromHexString(request.TokenSha256));
    }

    /// <summary>Records the proof of a request awaiting it: the link opened (email) or the TXT record seen (DNS).</summary>
    public void Prove(DelistingRequest request, DelistingProof proof, string requester)
    {
        request.Proof = proof;
        request.Status = DelistingStatus.Proven;
        Audit(AuditNames.Requester(requester), AuditNames.DelistingProven, request, proof.Detail, [new("method", Name(proof.Method))]);
    }

    /// <summary>A failed proof (a wrong token, no TXT record): audited, the request stays open until its deadline.</summary>
    public void ProofRefused(DelistingRequest request, string requester, string why) =>
        Audit(AuditNames.Requester(requester), AuditNames.DelistingProofFailed, request, why, []);

    /// <summary>Whether the subject may still remove itself at once: fewer than the limit of self-service removals in the period.</summary>
    public bool SelfServiceAvailable(DateTimeOffset now) =>
        state.SelfServiceRemovals.Count(at => at > now - options.SelfServicePeriod) < options.SelfServiceLimit;

    public int SelfServiceUsed(DateTimeOffset now) => state.SelfServiceRemovals.Count(at => at > now - options.SelfServicePeriod);

    /// <summary>A proven request removed at once (<paramref name="removed"/>: it was still listed) by self-service.</summary>
    public void SelfServiceRemoved(DelistingRequest request, bool removed, DateTimeOffset now)
    {
        Decide(request, removed ? DelistingStatus.Removed : DelistingStatus.NotListed, AuditNames.SelfService, removed ? "removed by self-service" : "was no longer listed", now);
        if (removed)
        {
            state.SelfServiceRemovals.RemoveAll(at => at <= now - options.SelfServicePeriod);
            state.SelfServiceRemovals.Add(now);
        }

        Audit(AuditNames.SelfService, AuditNames.DelistingRemoved, request, request.DecisionReason!,
            [new("removed", removed ? "true" : "false (no longer listed)"), new("self_service_used", SelfServiceUsed(now).ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    /// <summary>A proven request past the self-service limit: it waits for an operator.</summary>
    public void QueueForReview(DelistingRequest request, DateTimeOffset now)
    {
        request.Status = DelistingStatus.PendingReview;
        Audit(AuditNames.SelfService, AuditNames.DelistingQueued, request, $"self-service used {SelfServiceUsed(now)} times in {options.SelfServicePeriod.TotalDays:0.#} days (limit {options.SelfServiceLimit})", []);
    }

    /// <summary>An operator's decision on a request waiting for review.</summary>
    public void Reviewed(DelistingRequest request, bool approved, bool removed, string operatorName, string reason, DateTimeOffset now)
    {
        var status = !approved ? DelistingStatus.Refused : removed ? DelistingStatus.Approved : DelistingStatus.NotListed;
        Decide(request, status, AuditNames.Operator(operatorName), reason, now);
        Audit(AuditNames.Operator(operatorName), approved ? AuditNames.DelistingApproved : AuditNames.DelistingRefused, request, reason,
            approved ? [new("removed", removed ? "true" : "false (no longer listed)")] : []);
    }

    public void Audited(int count) => state.PendingAudit.RemoveRange(0, Math.Min(count, state.PendingAudit.Count));

    public static string Name(ProofMethod method) => method.ToString().ToLowerInvariant();

    private static bool IsText(string text)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (System.Text.EncoderFallbackException)
        {
            return false;
        }
    }

    private static void Decide(DelistingRequest request, DelistingStatus status, string by, string reason, DateTimeOffset now)
    {
        request.Status = status;
        request.DecidedAt = now;
        request.DecidedBy = by;
        request.DecisionReason = reason;
    }

    private void Audit(string actor, string action, DelistingRequest request, string reason, IEnumerable<KeyValuePair<string, string>> details) =>
        state.PendingAudit.Add(AuditEvent.Create(actor, action, request.Subject.AuditTarget, reason, [new("request_id", request.Id), .. details]));

    // Finished requests beyond the kept number go, oldest first; open ones stay (the request limit bounds them).
    private void Trim()
    {
        var excess = state.Requests.Count - options.KeptRequests;
        foreach (var old in state.Requests.Where(r => r.Status is not (DelistingStatus.AwaitingProof or DelistingStatus.Proven or DelistingStatus.PendingReview) && !r.Queued).Take(Math.Max(0, excess)).ToList())
        {
            state.Requests.Remove(old);
        }
    }
}
