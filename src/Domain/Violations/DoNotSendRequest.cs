namespace Clearinghouse.Domain;

/// <summary>How the recipient told the sender to stop.</summary>
public enum DoNotSendMethod
{
    Reply = 0,
    WebForm = 1,

    /// <summary>RFC 8058 one-click unsubscribe (List-Unsubscribe-Post).</summary>
    OneClick = 2,
}

/// <summary>
/// A recipient's request to one sender to stop sending, with evidence of the message that prompted it. Messages from
/// the sender after <see cref="InForceFrom"/> are violations.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DoNotSendRequest(
    [property: Id(0)] Address Sender,
    [property: Id(1)] MessageChannel Channel,
    [property: Id(2)] DoNotSendMethod Method,
    [property: Id(3)] DateTimeOffset RequestedAt,
    [property: Id(4)] MessageEvidence FirstMessage,
    [property: Id(5)] TimeSpan GracePeriod,
    [property: Id(6)] string ProviderId,
    [property: Id(7)] string Message)
{
    public DateTimeOffset InForceFrom => RequestedAt + GracePeriod;

    /// <summary>The key a recipient stores its requests under: one per sender and channel.</summary>
    public string Key => KeyFor(Sender, Channel);

    public static string KeyFor(Address sender, MessageChannel channel) => $"{(int)channel}:{sender.Value}";
}

/// <summary>A stored do-not-send request with the number of violations recorded against it.</summary>
[GenerateSerializer, Immutable]
public sealed record DoNotSendView(
    [property: Id(0)] DoNotSendRequest Request,
    [property: Id(1)] int Violations,
    [property: Id(2)] DateTimeOffset? LastViolationAt);

/// <summary>Checks a do-not-send request before it reaches a grain.</summary>
public static class DoNotSendValidator
{
    /// <summary>How far in the future a caller's clock may be before a date is refused.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxGracePeriod = TimeSpan.FromDays(30);

    public static DoNotSendRequest Validate(
        string? sender,
        MessageChannel channel,
        DoNotSendMethod method,
        DateTimeOffset? requestedAt,
        MessageEvidence firstMessage,
        TimeSpan gracePeriod,
        string providerId,
        string? message,
        DateTimeOffset now)
    {
        var senderAddress = Address.Parse(sender, "sender");
        if (!Enum.IsDefined(channel))
        {
            throw new InvalidFieldException("channel", "is not a known channel");
        }

        if (!Enum.IsDefined(method))
        {
            throw new InvalidFieldException("method", "is not a known method");
        }

        if (requestedAt is not { } requested)
        {
            throw new InvalidFieldException("requested_at", "is required");
        }

        if (requested > now + ClockSkew)
        {
            throw new InvalidFieldException("requested_at", "is in the future");
        }

        if (firstMessage.Date > requested)
        {
            throw new InvalidFieldException("first_message.date", "is after the request: the request answers an earlier message");
        }

        if (gracePeriod < TimeSpan.Zero || gracePeriod > MaxGracePeriod)
        {
            throw new InvalidFieldException("grace_period", $"must be between 0 and {MaxGracePeriod.TotalDays} days");
        }

        var text = message ?? "";
        if (!ReplyText.TryValidate(text, out var problem))
        {
            throw new InvalidFieldException("message", problem);
        }

        return new DoNotSendRequest(senderAddress, channel, method, requested, firstMessage, gracePeriod, providerId, ReplyText.Sanitize(text));
    }
}
