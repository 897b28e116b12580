using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Clearinghouse.BrowserTests.Infrastructure;

/// <summary>One browser context (its own cookies) and its page, collecting what the browser complained about.</summary>
public sealed class ConsoleSession : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> problems = new();

    public ConsoleSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        // A Content-Security-Policy violation or a script error shows here.
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Enqueue($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"page error: {error}");
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Console errors (CSP violations included) and uncaught script errors seen so far.</summary>
    public IReadOnlyList<string> Problems => [.. problems];

    public async Task LogInAsync(string name, string password)
    {
        await Page.GotoAsync("/login");
        await Page.FillAsync("#name", name);
        await Page.FillAsync("#password", password);
        await Page.ClickAsync("form[action='/login'] button[type=submit]");
    }

    /// <summary>The antiforgery token the current page's forms carry (every page has one in its log-out form).</summary>
    public Task<string> CsrfTokenAsync() => Page.Locator("input[name=__csrf]").First.InputValueAsync();

    /// <summary>Posts a form from this session (its cookies), as a browser would, without following the redirect.</summary>
    public Task<IAPIResponse> PostFormAsync(string path, IDictionary<string, string> fields)
    {
        var form = Context.APIRequest.CreateFormData();
        foreach (var (key, value) in fields)
        {
            form.Set(key, value);
        }

        return Context.APIRequest.PostAsync(path, new APIRequestContextOptions { Form = form, MaxRedirects = 0 });
    }

    /// <summary>Writes a full-page screenshot to the test output's <c>TestResults/screenshots</c>.</summary>
    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
