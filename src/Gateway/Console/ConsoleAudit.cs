using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// Console logins and lockouts in the audit trail (the changes operators make are audited by the operator API itself).
/// A login is answered even when its entry cannot be written; that failure is logged.
/// </summary>
public sealed partial class ConsoleAudit(IGrainFactory grains, ILogger<ConsoleAudit> logger)
{
    public Task LoggedInAsync(string name, string client) =>
        AppendAsync(AuditEvent.Create(AuditNames.Operator(name), AuditNames.ConsoleLogin, AuditNames.Operator(name), "", [new("client", client)]));

    public Task LockedOutAsync(string name, string client) =>
        AppendAsync(AuditEvent.Create(AuditNames.Requester(client), AuditNames.ConsoleLockout, AuditNames.Operator(name), "too many failed logins"));

    private async Task AppendAsync(AuditEvent auditEvent)
    {
        try
        {
            await grains.GetGrain<IAuditTrail>(0).Append(auditEvent);
        }
        catch (Exception error)
        {
            LogAuditFailed(error, auditEvent.Action);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit trail did not record a console {Action}")]
    private partial void LogAuditFailed(Exception error, string action);
}
