namespace Clearinghouse.Domain;

/// <summary>What one delivery attempt came to.</summary>
public sealed record DeliveryResult(bool Delivered, bool Permanent, string? Error)
{
    public static readonly DeliveryResult Success = new(true, false, null);

    public static DeliveryResult Retry(string error) => new(false, false, error);

    public static DeliveryResult Refused(string error) => new(false, true, error);
}
