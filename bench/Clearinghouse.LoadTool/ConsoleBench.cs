using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Clearinghouse.Api.V1;
using Microsoft.AspNetCore.Identity;

namespace Clearinghouse.LoadTool;

/// <summary>
/// The operators' console's cost to the verdict path (issue 14), chosen with <c>--suite console</c>: CheckRecipient in
/// a closed loop with nobody watching the overview, against the same with <c>--watchers</c> logged-in sessions
/// reading the overview's live feed (<c>/overview/events</c>, one sample a second), interleaved round by round. The
/// feed is opened before the measured run (the sampler starts with the first watcher) and closed after it. Goal: the
/// server's CPU per call at most 5 % more with the overview open.
/// </summary>
public static partial class ConsoleBench
{
    private const string Operator = "bench-operator";
    private const string Password = "bench-console-password";

    public static async Task RunAsync(BenchOptions options, int watchers)
    {
        var consolePort = FreePort.Next();
        var settings = new Dictionary<string, string>(BenchWorld.ProviderSettings())
        {
            ["Clearinghouse:Console:Port"] = consolePort.ToString(CultureInfo.InvariantCulture),
            [$"Clearinghouse:Operators:{Operator}:PasswordHash"] = new PasswordHasher<string>().HashPassword("", Password),
        };
        await using var silo = await SiloProcess.StartAsync(options.SiloDll, settings, TimeSpan.FromSeconds(60));
        var invoker = BenchWorld.Connect(silo.Address);
        await BenchWorld.SeedAsync(invoker, options.Recipients);
        var checks = BenchWorld.Checks(options.Recipients);
        var verdicts = new Verdicts.VerdictsClient(invoker);
        Task Check(long i) => verdicts.CheckRecipientAsync(checks[(int)(i % checks.Count)]).ResponseAsync;

        var console = new Uri($"http://127.0.0.1:{consolePort}/");
        var sessions = new List<HttpClient>();
        for (var i = 0; i < watchers; i++)
        {
            sessions.Add(await LogInAsync(console));
        }

        Console.WriteLine($"Console suite: {watchers} overview watcher(s), CheckRecipient closed loop ({options.Concurrency} callers)");
        var closed = "CheckRecipient, overview closed";
        var open = $"CheckRecipient, overview open ({watchers} watching)";
        var results = new Dictionary<string, List<Measured>> { [closed] = [], [open] = [] };
        long samples = 0;

        Console.WriteLine("Warming up ...");
        await Workloads.ClosedLoopAsync(options.Concurrency, Check, TimeSpan.FromSeconds(2));
        for (var round = 1; round <= options.Rounds; round++)
        {
            await Task.Delay(500);
            var measured = await Measured.RunAsync(silo, () => Workloads.ClosedLoopAsync(options.Concurrency, Check, options.Duration));
            results[closed].Add(measured);
            Console.WriteLine($"round {round}  {closed,-45} {measured}");

            using var stop = new CancellationTokenSource();
            var feeds = sessions.Select(session => ReadFeedAsync(session, stop.Token)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(2)); // the sampler starts with the first watcher
            measured = await Measured.RunAsync(silo, () => Workloads.ClosedLoopAsync(options.Concurrency, Check, options.Duration));
            results[open].Add(measured);
            await stop.CancelAsync();
            var read = await Task.WhenAll(feeds);
            samples += read.Sum();
            Console.WriteLine($"round {round}  {open,-45} {measured}  ({read.Sum()} samples read)");
        }

        Rounds.PrintMedians(options, results);

        if (samples == 0)
        {
            Console.WriteLine("No overview sample was read: the open runs did not measure an open overview.");
        }

        var ratio = Rounds.Median(results[open].Select(m => m.ServerMicrosPerCall)) / Rounds.Median(results[closed].Select(m => m.ServerMicrosPerCall));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CheckRecipient server CPU per call, overview open / closed: {ratio:0.000}x (goal <= 1.05x)"));
        foreach (var session in sessions)
        {
            session.Dispose();
        }
    }

    /// <summary>A cookie session logged in to the console through its login form (antiforgery token included).</summary>
    private static async Task<HttpClient> LogInAsync(Uri console)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = console };
        var form = await client.GetStringAsync("/login");
        var token = CsrfToken().Match(form) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("the login page has no antiforgery token");
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = Operator,
            ["password"] = Password,
            ["__csrf"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"logging in to the console failed: HTTP {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>Reads the overview's server-sent events until cancelled; returns the number of samples read.</summary>
    private static async Task<long> ReadFeedAsync(HttpClient session, CancellationToken cancellationToken)
    {
        long samples = 0;
        try
        {
            using var response = await session.GetAsync("/overview/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    samples++;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return samples;
    }

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfToken();
}
