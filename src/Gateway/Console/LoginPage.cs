using static Clearinghouse.Gateway.Console.ConsoleLayout;

namespace Clearinghouse.Gateway.Console;

/// <summary>The login form (it carries an antiforgery token too, so no other site can log a browser in).</summary>
public static class LoginPage
{
    public static string Html(string csrfToken, string name, string? error, string returnUrl) => Bare("Log in", $"""
        <div class="login">
        <h1>Clearinghouse operators</h1>
        {(error is null ? "" : $"<p class=\"notice error\" role=\"alert\">{E(error)}</p>")}
        <form class="stack" method="post" action="/login">
        <input type="hidden" name="{CsrfField}" value="{E(csrfToken)}">
        <input type="hidden" name="return_url" value="{E(returnUrl)}">
        <label for="name">Operator</label><input type="text" id="name" name="name" value="{E(name)}" autocomplete="username" required autofocus>
        <label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
        <button type="submit">Log in</button>
        </form>
        </div>
        """);

    public static string Error(string title, string message, string back) => Bare(title, $"""
        <h1>{E(title)}</h1>
        <p class="notice error" role="alert">{E(message)}</p>
        <p><a href="{E(back)}">Back</a></p>
        """);
}
