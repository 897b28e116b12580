namespace Clearinghouse.Domain;

/// <summary>The kind of message a record or a check applies to. An IM handle is written <c>user@service</c>.</summary>
public enum MessageChannel
{
    Email = 0,
    Im = 1,
}
