using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Escalation;

/// <summary>
/// Posts a case as signed JSON. Headers: <c>Idempotency-Key</c> (the delivery id, the same on every retry),
/// <c>X-Clearinghouse-Timestamp</c> (Unix seconds) and <c>X-Clearinghouse-Signature: v1=&lt;hex&gt;</c>, the
/// HMAC-SHA256 with the destination's secret of <c>timestamp + "." + body</c>. A 2xx answer is a delivery; 408, 429
/// and 5xx are retried; any other answer is a permanent refusal.
/// </summary>
public sealed class WebhookTransport(TimeProvider clock) : IDisposable
{
    public const string SignatureHeader = "X-Clearinghouse-Signature";
    public const string TimestampHeader = "X-Clearinghouse-Timestamp";
    public const string IdempotencyHeader = "Idempotency-Key";

    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + 1 + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, signed);
        signed[written] = (byte)'.';
        body.CopyTo(signed.AsSpan(written + 1));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public async Task<DeliveryResult> SendAsync(WebhookSettings settings, EvidenceDocument document, CancellationToken cancellationToken)
    {
        var body = document.ToUtf8();
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(IdempotencyHeader, document.DeliveryId);
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, Sign(settings.Secret, timestamp, body));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return DeliveryResult.Success;
            }

            var error = $"HTTP {code} {response.ReasonPhrase}";
            return code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                ? DeliveryResult.Retry(error)
                : DeliveryResult.Refused(error);
        }
        catch (HttpRequestException error)
        {
            return DeliveryResult.Retry(error.Message);
        }
    }

    public void Dispose() => http.Dispose();
}
