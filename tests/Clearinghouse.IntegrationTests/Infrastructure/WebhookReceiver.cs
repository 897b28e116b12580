using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>One POST a <see cref="WebhookReceiver"/> received, with the status it answered.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Status)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : "";
}

/// <summary>
/// A real HTTP server (Kestrel on a free loopback port) that records every POST. <see cref="Respond"/> decides the
/// status per request (path and how many requests that path got before), so a test can make a destination fail.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly ConcurrentDictionary<string, int> counts = new();
    private WebApplication app = null!;

    public Uri Address { get; private set; } = null!;

    /// <summary>(path, 1-based request number for that path) → HTTP status. Answers 200 by default.</summary>
    public Func<string, int, int> Respond { get; set; } = (_, _) => 200;

    public IReadOnlyList<ReceivedWebhook> Received => [.. received];

    public IReadOnlyList<ReceivedWebhook> Accepted => received.Where(r => r.Status is >= 200 and < 300).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();

        // The silo's appsettings.json is in the test's output directory; its Kestrel endpoint must not apply here.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        receiver.app = builder.Build();
        receiver.app.Run(receiver.HandleAsync);
        await receiver.app.StartAsync();
        receiver.Address = new Uri(receiver.app.Urls.Single());
        return receiver;
    }

    public string Url(string path) => new Uri(Address, path).ToString();

    /// <summary>Waits until <paramref name="condition"/> holds for what was received, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Received))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the webhook receiver did not get what was expected within {timeout}; it got {received.Count} requests: {string.Join(", ", received.Select(r => $"{r.Path}={r.Status}"))}");
            }

            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var path = context.Request.Path.Value ?? "/";
        var number = counts.AddOrUpdate(path, 1, (_, n) => n + 1);
        var status = Respond(path, number);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        received.Enqueue(new ReceivedWebhook(path, headers, body.ToArray(), status));
        context.Response.StatusCode = status;
    }
}
