using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Verdicts;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Gateway.Policy;

/// <summary>What a listener answers with: the provider it serves and how it behaves when the cluster cannot answer.</summary>
public sealed record PolicyListenerSettings(string Name, Caller Provider, PolicyFailureMode WhenUnavailable, TimeSpan TimeBudget, bool AllowRecordsAnswerOk);

/// <summary>
/// Answers Postfix policy requests through the <see cref="VerdictPipeline"/>: CONNECT, HELO and EHLO ask the connection
/// check (the provider's connection map and the global list's IP entries); RCPT asks it too (with
/// <c>smtpd_delay_reject = yes</c>, Postfix's default, client restrictions are evaluated at RCPT), then the recipient
/// check with the client address, HELO name and sender; every other stage gets <c>DUNNO</c> (a reject at DATA or
/// END-OF-MESSAGE would hit every recipient). A recipient outside the provider's domains, or an address the clearing
/// house cannot parse, gets <c>DUNNO</c>: it has no records for it. With a <see cref="ConnectionVerdictMemo"/> of the
/// policy connection, the connection check at RCPT gives the verdict decided at CONNECT or HELO for the same client
/// again as long as nothing it was decided from has changed.
/// </summary>
public sealed partial class PolicyResponder(VerdictPipeline pipeline, BounceNotices notices, ILogger<PolicyResponder> logger)
{
    private long lastWarning = long.MinValue / 2;

    public async ValueTask<string> AnswerAsync(PolicyRequest request, PolicyListenerSettings listener, ConnectionVerdictMemo? connectionVerdicts, CancellationToken cancellationToken)
    {
        if (request.ProtocolState is not (PolicyProtocolState.Connect or PolicyProtocolState.Helo or PolicyProtocolState.Ehlo or PolicyProtocolState.Rcpt))
        {
            return PolicyActions.Dunno;
        }

        try
        {
            var clientIp = IpPrefix.TryParseAddress(request.ClientAddress, out var parsed, out _) ? parsed : null;
            var helo = DomainName.TryNormalize(request.HeloName, out var heloName, out _) ? heloName : null;
            if (clientIp is not null)
            {
                var connection = await WithinBudget(pipeline.CheckConnectionAsync(listener.Provider, clientIp, helo, connectionVerdicts), listener.TimeBudget, cancellationToken);
                if (connection.Reject || request.ProtocolState != PolicyProtocolState.Rcpt)
                {
                    return PolicyActions.ForConnection(connection);
                }
            }
            else if (request.ProtocolState != PolicyProtocolState.Rcpt)
            {
                return PolicyActions.Dunno;
            }

            return await AnswerRecipientAsync(request, listener, clientIp, helo, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // At most one warning a second: with the cluster down, every request fails the same way.
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref lastWarning);
            if (now - last >= 1000 && Interlocked.CompareExchange(ref lastWarning, now, last) == last)
            {
                LogUnavailable(listener.Name, listener.WhenUnavailable, error);
            }

            return PolicyActions.WhenUnavailable(listener.WhenUnavailable);
        }
    }

    private async ValueTask<string> AnswerRecipientAsync(PolicyRequest request, PolicyListenerSettings listener, IPAddress? clientIp, string? helo, CancellationToken cancellationToken)
    {
        if (!Address.TryParse(request.Recipient, out var recipient, out _) || !listener.Provider.Owns(recipient)
            // The envelope sender is taken literally, as CheckRecipient takes it: RFC 5321 allows '*' in a local part.
            || !Address.TryParse(request.Sender.Length == 0 ? "<>" : request.Sender, out var sender, out _, allowNullSender: true, allowAsterisk: true))
        {
            return PolicyActions.Dunno;
        }

        var check = new RecipientCheck(listener.Provider, recipient, sender, MessageChannel.Email, clientIp, helo);
        var (verdict, _) = await WithinBudget(pipeline.CheckRecipientAsync(check, cancellationToken), listener.TimeBudget, cancellationToken);
        if (verdict is { Action: VerdictAction.Bounce, NoticeText: { } notice })
        {
            notices.Enqueue(sender, recipient, notice);
        }

        return PolicyActions.ForRecipient(verdict, listener.AllowRecordsAnswerOk);
    }

    // Most checks complete at once (answered from memory); only a pending one needs a timer.
    private static ValueTask<T> WithinBudget<T>(Task<T> check, TimeSpan budget, CancellationToken cancellationToken) =>
        check.IsCompleted ? new(check) : new(check.WaitAsync(budget, cancellationToken));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy listener {Listener}: the cluster did not answer in time or failed; answered as configured ({Mode})")]
    private partial void LogUnavailable(string listener, PolicyFailureMode mode, Exception error);
}
