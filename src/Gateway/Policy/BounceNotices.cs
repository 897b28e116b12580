using System.Threading.Channels;
using System.Threading.RateLimiting;
using Clearinghouse.Domain;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Clearinghouse.Gateway.Policy;

/// <summary>
/// Mails the notice of a bounce record to the (verified) sender whose message the policy server discarded, through the
/// configured relay, in the background: the policy answer never waits for it. Rate-limited per sender address and per
/// minute so that no one can turn the clearing house into a mail cannon; beyond the limits, or with no relay
/// configured, a notice is dropped and logged (the message stays discarded). The notice is an auto-reply (RFC 3834)
/// sent from the null sender, so that it cannot bounce back.
/// </summary>
public sealed partial class BounceNotices : BackgroundService
{
    private readonly BounceNoticeOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<BounceNotices> logger;
    private readonly Channel<(Address Sender, Address Recipient, string Text)> queue;
    private readonly TokenBucketRateLimiter perMinute;
    private readonly Dictionary<string, DateTimeOffset> lastNoticeBySender = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public BounceNotices(IOptions<PolicyOptions> options, TimeProvider clock, ILogger<BounceNotices> logger)
    {
        this.options = options.Value.BounceNotices;
        this.clock = clock;
        this.logger = logger;
        queue = Channel.CreateBounded<(Address, Address, string)>(new BoundedChannelOptions(Math.Max(1, this.options.QueueLength))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        perMinute = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, this.options.MaxPerMinute),
            TokensPerPeriod = Math.Max(1, this.options.MaxPerMinute),
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }

    public bool Enabled => options.Host.Length > 0 && options.From.Length > 0;

    /// <summary>Queues a notice; false (and logged) when it is dropped.</summary>
    public bool Enqueue(Address sender, Address recipient, string text)
    {
        if (!Enabled || sender.IsNullSender)
        {
            LogNotSent(Enabled ? "the sender is the null sender" : "no relay is configured (Clearinghouse:Policy:BounceNotices:Host, From)");
            return false;
        }

        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (lastNoticeBySender.TryGetValue(sender.Value, out var last) && now - last < options.PerSenderInterval)
            {
                LogNotSent("the sender had a notice within Clearinghouse:Policy:BounceNotices:PerSenderInterval");
                return false;
            }

            if (lastNoticeBySender.Count >= 100_000)
            {
                foreach (var expired in lastNoticeBySender.Where(p => now - p.Value >= options.PerSenderInterval).Select(p => p.Key).ToList())
                {
                    lastNoticeBySender.Remove(expired);
                }
            }

            using var lease = perMinute.AttemptAcquire();
            if (!lease.IsAcquired || !queue.Writer.TryWrite((sender, recipient, text)))
            {
                LogNotSent("more than Clearinghouse:Policy:BounceNotices:MaxPerMinute notices, or the queue is full");
                return false;
            }

            lastNoticeBySender[sender.Value] = now;
            return true;
        }
    }

    public override void Dispose()
    {
        perMinute.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (sender, recipient, text) in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await SendAsync(sender, recipient, text, stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogSendFailed(error);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(Address sender, Address recipient, string text, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(new MailboxAddress("", sender.Value));
        message.Subject = "Your message was not delivered";
        message.Headers.Add("Auto-Submitted", "auto-replied");
        message.Body = new TextPart("plain")
        {
            Text = $"Your message to {recipient.Value} was not delivered. The recipient asks:\n\n    {ReplyText.Sanitize(text)}\n\n-- Clearinghouse\n",
        };

        using var client = new SmtpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(options.Host, options.Port, Security(options.Security), timeout.Token);
        if (!string.IsNullOrEmpty(options.UserName))
        {
            await client.AuthenticateAsync(options.UserName, options.Password ?? "", timeout.Token);
        }

        // The null reverse-path: a notice must never cause another.
        await client.SendAsync(message, new MailboxAddress("", ""), [new MailboxAddress("", sender.Value)], timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }

    private static SecureSocketOptions Security(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTlsWhenAvailable,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Bounce notice not sent: {Why}")]
    private partial void LogNotSent(string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A bounce notice could not be sent through the relay")]
    private partial void LogSendFailed(Exception error);
}
