using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearinghouse.Api.V1;
using Clearinghouse.Gateway.Security;
using Clearinghouse.TestSupport.Chaos;
using Microsoft.Playwright;

namespace Clearinghouse.BrowserTests.Infrastructure;

/// <summary>
/// One embedded host with the operators' console on a free loopback port, an escalation destination that is a real
/// HTTP receiver (refusing at first, so that deliveries are dead-lettered), the public site with DNS proofs checked
/// against a DNS server on loopback and no self-service removal (every proven delisting request waits for an
/// operator), and Debian's chromium driven by Playwright.
/// Accounts: alice (administrator), victor (viewer), locky (administrator, for the lockout test). Every recipient a
/// test reports for is remembered, so that pages can be checked for them.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string AlicePassword = "alice-console-password-1";
    public const string ViewerPassword = "victor-console-password-2";
    public const string LockyPassword = "locky-console-password-3";
    public const int MaxFailedLogins = 3;
    public const string Destination = "authority";

    /// <summary>Where Debian's chromium is; nothing is downloaded.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly ConcurrentBag<string> recipients = [];
    private IPlaywright playwright = null!;

    public ClearinghouseTestHost Host { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public LoopbackDnsServer Dns { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Every recipient address reported for so far.</summary>
    public IReadOnlyCollection<string> Recipients => recipients;

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Receiver.Respond = (_, _) => 422;
        Dns = LoopbackDnsServer.Start();
        var settings = new Dictionary<string, string?>
        {
            ["Clearinghouse:Console:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Console:MaxFailedLogins"] = MaxFailedLogins.ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Console:LockoutDuration"] = "00:10:00",
            ["Clearinghouse:Operators:alice:PasswordHash"] = ConsolePasswords.Hash(AlicePassword),
            ["Clearinghouse:Operators:victor:PasswordHash"] = ConsolePasswords.Hash(ViewerPassword),
            ["Clearinghouse:Operators:locky:PasswordHash"] = ConsolePasswords.Hash(LockyPassword),
            [$"Clearinghouse:Escalation:Destinations:{Destination}:Kind"] = "LawEnforcement",
            [$"Clearinghouse:Escalation:Destinations:{Destination}:Webhook:Url"] = Receiver.Url("/hook"),
            [$"Clearinghouse:Escalation:Destinations:{Destination}:Webhook:Secret"] = "console-test-webhook-secret",
            ["Clearinghouse:Violations:RankingInterval"] = "00:00:01",
            ["Clearinghouse:Public:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Public:DelistingCallsPerHour"] = "1000",
            ["Clearinghouse:Delisting:SelfServiceLimit"] = "0",
        };
        foreach (var (key, value) in Dns.Settings())
        {
            settings[key] = value;
        }

        Host = await ClearinghouseTestHost.StartAsync(settings);
        Directory.CreateDirectory(ScreenshotDirectory);
        playwright = await Playwright.CreateAsync();
        // Playwright gives every launch a fresh, temporary --user-data-dir of its own.
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await Host.DisposeAsync();
        await Dns.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>A fresh browser session (its own cookies), not logged in. Page errors and console errors are collected.</summary>
    public async Task<ConsoleSession> NewSessionAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Host.ConsoleAddress.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        return new ConsoleSession(context, page);
    }

    /// <summary>A session logged in as <paramref name="name"/>.</summary>
    public async Task<ConsoleSession> LogInAsync(string name, string password)
    {
        var session = await NewSessionAsync();
        await session.LogInAsync(name, password);
        Assert.EndsWith("/", session.Page.Url);
        return session;
    }

    /// <summary>
    /// Reports <paramref name="sender"/> the way providers do: <paramref name="recipients"/> recipients, half at each
    /// of the two providers (6 pass the default threshold of 5 with two providers: the sender is listed).
    /// </summary>
    public async Task ReportAsync(string sender, int recipients = 6)
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < recipients; i++)
        {
            var local = $"r{Guid.NewGuid():N}"[..12];
            var (recipient, key) = i % 2 == 0 ? ($"{local}@{TestTenants.AcmeDomain}", TestTenants.AcmeKey) : ($"{local}@{TestTenants.OtherDomain}", TestTenants.OtherKey);
            this.recipients.Add(recipient);
            await Host.Reports(key).SubmitViolationAsync(ViolationReportWorkload.Report(Guid.NewGuid().ToString("N"), recipient, sender, now));
        }
    }

    /// <summary>Waits until the operator API says <paramref name="sender"/> is listed.</summary>
    public async Task WaitUntilListedAsync(string sender)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).State != EscalationState.Listed)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{sender} was not listed");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Asks for <paramref name="domain"/>'s removal on the public site and proves control by DNS, as its owner would;
    /// with no self-service removal the proven request waits for review. Its request id.
    /// </summary>
    public async Task<string> RequestDelistingAsync(string domain)
    {
        using var http = new HttpClient { BaseAddress = Host.PublicAddress };
        using var opened = await http.PostAsJsonAsync("/api/v1/delisting-requests", new { subject = domain, method = "dns", explanation = "we cleaned our lists" });
        opened.EnsureSuccessStatusCode();
        var request = await opened.Content.ReadFromJsonAsync<JsonElement>();
        var id = request.GetProperty("request_id").GetString()!;
        Dns.Txt(request.GetProperty("dns").GetProperty("name").GetString()!, request.GetProperty("dns").GetProperty("value").GetString()!);
        using var proven = await http.PostAsJsonAsync("/api/v1/delisting-requests/check-dns", new { subject = domain, request_id = id });
        var status = (await proven.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
        return status == "pending_review" ? id : throw new InvalidOperationException($"the request for {domain} is {status}, not waiting for review");
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "operators' console";
}
