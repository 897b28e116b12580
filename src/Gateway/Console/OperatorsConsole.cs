using System.Security.Claims;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Public;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// The operators' console on its own port (<see cref="ConsoleOptions"/>): a cookie session after a password login
/// (hashed passwords from configuration, re-read without a restart; lockout after repeated failures), an antiforgery
/// token on every form that changes something, and a strict Content-Security-Policy (no inline script or style, nothing
/// from another origin). Only the console's routes answer on its port, and they answer on no other; the verdict path
/// never passes through its authentication. Every change is an <see cref="Services.OperatorActions"/> call, the code
/// behind the operator gRPC API, with the logged-in operator as the caller.
/// </summary>
public static partial class OperatorsConsole
{
    public const string Scheme = "ClearinghouseConsole";
    public const string Policy = "ClearinghouseOperator";
    private const string StampClaim = "clearinghouse:password-stamp";
    private const long MaxBodyBytes = 64 * 1024;

    /// <summary>Strict: this console's pages load only its own stylesheet and script, and talk only to itself.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// For Orleans' dashboard (a third-party single-page app under <c>/cluster/orleans/</c>), which sets inline styles and
    /// embeds its fonts: still nothing from another origin and no script but its own.
    /// </summary>
    public const string DashboardContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Marks the console's routes (its pages, assets and Orleans' dashboard).</summary>
    public sealed class ConsoleRoute
    {
        public static readonly ConsoleRoute Instance = new();
    }

    public static IServiceCollection AddOperatorsConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ConsoleOptions>(configuration.GetSection(ConsoleOptions.Section));
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<OverviewFeed>();
        var console = configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        if (console.Port is null)
        {
            return services;
        }

        services.AddAuthentication(Scheme).AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = console.Https ? "__Host-clearinghouse-console" : "clearinghouse-console";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = console.Https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookie.Cookie.Path = "/";
            cookie.ExpireTimeSpan = console.SessionTimeout;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/login";
            cookie.ReturnUrlParameter = "return_url";
            cookie.Events.OnValidatePrincipal = ValidateSessionAsync;
            cookie.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Path.StartsWithSegments("/overview/events", StringComparison.Ordinal) || context.Request.Method != HttpMethods.Get)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }
                else
                {
                    context.Response.Redirect(context.RedirectUri);
                }

                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.FormFieldName = ConsoleLayout.CsrfField;
            antiforgery.HeaderName = null;
            antiforgery.Cookie.Name = console.Https ? "__Host-clearinghouse-console-csrf" : "clearinghouse-console-csrf";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
            antiforgery.Cookie.SecurePolicy = console.Https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            antiforgery.SuppressXFrameOptionsHeader = true;
        });
        return services;
    }

    /// <summary>Maps the console when its port is configured; returns the route group (Orleans' dashboard is mapped into it), else null.</summary>
    public static RouteGroupBuilder? MapOperatorsConsole(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        if (options.Port is not { } port)
        {
            return null;
        }

        app.Use(async (context, next) =>
        {
            var onConsolePort = context.Connection.LocalPort == port;
            var consoleRoute = context.GetEndpoint()?.Metadata.GetMetadata<ConsoleRoute>() is not null;
            if (onConsolePort)
            {
                SecureHeaders(context, options.Https);
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
                {
                    body.MaxRequestBodySize = MaxBodyBytes;
                }
            }

            if (onConsolePort != consoleRoute)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        app.UseWhen(context => context.Connection.LocalPort == port, consolePort =>
        {
            consolePort.UseAuthentication();
            consolePort.UseAuthorization();
        });

        var site = app.MapGroup("").WithMetadata(ConsoleRoute.Instance, new LocalPortRoute(port));
        site.MapGet("/console.css", context => Asset(context, "console.css", "text/css; charset=utf-8"));
        site.MapGet("/console.js", context => Asset(context, "console.js", "text/javascript; charset=utf-8"));
        site.MapGet("/login", LoginFormAsync);
        site.MapPost("/login", LoginAsync);

        var pages = site.MapGroup("").RequireAuthorization(Policy);
        pages.MapPost("/logout", LogoutAsync);
        ConsolePages.Map(pages);
        return pages;
    }

    private static void SecureHeaders(HttpContext context, bool https)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(ClusterPage.DashboardPath, StringComparison.Ordinal)
            ? DashboardContentSecurityPolicy
            : ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        // What antiforgery sets on every page with a form (set here, it does not warn of overriding it).
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
        if (https)
        {
            headers.StrictTransportSecurity = "max-age=31536000";
        }
    }

    private static async Task Asset(HttpContext context, string name, string contentType)
    {
        await using var stream = typeof(OperatorsConsole).Assembly.GetManifestResourceStream($"Clearinghouse.Console.{name}")
            ?? throw new InvalidOperationException($"the console's {name} is not embedded");
        context.Response.ContentType = contentType;
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static Task LoginFormAsync(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return Html(context, StatusCodes.Status200OK, LoginPage.Html(tokens.RequestToken!, "", null, LocalPath(context.Request.Query["return_url"])));
    }

    private static async Task LoginAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var antiforgery = services.GetRequiredService<IAntiforgery>();
        if (!await IsValidFormAsync(context, antiforgery))
        {
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var name = form["name"].ToString().Trim();
        var password = form["password"].ToString();
        var returnUrl = LocalPath(form["return_url"]);
        var throttle = services.GetRequiredService<LoginThrottle>();
        var directory = services.GetRequiredService<CallerDirectory>();
        var audit = services.GetRequiredService<ConsoleAudit>();
        string Retry() => antiforgery.GetAndStoreTokens(context).RequestToken!;

        if (name.Length is 0 or > 64 || password.Length is 0 or > 1024)
        {
            await Html(context, StatusCodes.Status400BadRequest, LoginPage.Html(Retry(), name.Length > 64 ? "" : name, "Give an operator name and a password.", returnUrl));
            return;
        }

        if (throttle.IsLockedOut(name, out var remaining))
        {
            await Html(context, StatusCodes.Status429TooManyRequests, LoginPage.Html(Retry(), name, $"Too many failed logins: this account is locked for {Math.Ceiling(remaining.TotalMinutes)} more minutes.", returnUrl));
            return;
        }

        var known = directory.TryGetOperator(name, out var account) && account.PasswordHash is not null;
        // An unknown name costs the same hashing as a known one, so the time taken does not tell which names exist.
        var verified = ConsolePasswords.Verify(known ? account.PasswordHash! : UnknownAccountHash.Value, password) && known;
        if (!verified)
        {
            if (throttle.Failed(name))
            {
                await audit.LockedOutAsync(name, ClientAddress.Of(context));
                await Html(context, StatusCodes.Status429TooManyRequests, LoginPage.Html(Retry(), name, "Too many failed logins: this account is locked for a while.", returnUrl));
                return;
            }

            await Html(context, StatusCodes.Status401Unauthorized, LoginPage.Html(Retry(), name, "Wrong operator name or password.", returnUrl));
            return;
        }

        throttle.Succeeded(name);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(StampClaim, Stamp(account.PasswordHash!))], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        await audit.LoggedInAsync(name, ClientAddress.Of(context));
        context.Response.Redirect(returnUrl, permanent: false);
    }

    private static async Task LogoutAsync(HttpContext context)
    {
        if (!await IsValidFormAsync(context, context.RequestServices.GetRequiredService<IAntiforgery>()))
        {
            return;
        }

        await context.SignOutAsync(Scheme);
        context.Response.Redirect("/login");
    }

    /// <summary>Ends a session whose operator is gone or whose password changed since it logged in.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var directory = context.HttpContext.RequestServices.GetRequiredService<CallerDirectory>();
        var name = context.Principal?.Identity?.Name;
        var stamp = context.Principal?.FindFirst(StampClaim)?.Value;
        if (name is null || !directory.TryGetOperator(name, out var account) || account.PasswordHash is not { } hash || Stamp(hash) != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    /// <summary>The logged-in operator as an API caller, with its role as configured now.</summary>
    public static Caller Operator(HttpContext context)
    {
        var name = context.User.Identity?.Name;
        return name is not null && context.RequestServices.GetRequiredService<CallerDirectory>().TryGetOperator(name, out var account)
            ? account.Caller
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "log in again"));
    }

    /// <summary>Checks the form's antiforgery token; answers 400 and returns false when it is missing or wrong.</summary>
    public static async Task<bool> IsValidFormAsync(HttpContext context, IAntiforgery antiforgery)
    {
        try
        {
            if (!context.Request.HasFormContentType)
            {
                await Html(context, StatusCodes.Status415UnsupportedMediaType, LoginPage.Error("Not a form", "Send the form as application/x-www-form-urlencoded.", "/"));
                return false;
            }

            await antiforgery.ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            LogForgedForm(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OperatorsConsole)), context.Request.Path, ClientAddress.Of(context));
            await Html(context, StatusCodes.Status400BadRequest, LoginPage.Error("Refused", "The form's security token is missing or does not match this session: nothing was changed. Reload the page and try again.", "/"));
            return false;
        }
    }

    public static async Task Html(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>A path on this site to go back to; anything else (another host, a scheme) becomes the overview.</summary>
    public static string LocalPath(string? url) =>
        url is { Length: > 0 } path && path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal) && !path.StartsWith("/\\", StringComparison.Ordinal) && !path.Any(char.IsControl)
            ? path
            : "/";

    private static string Stamp(string passwordHash) => Sha256Hex.Of(passwordHash)[..16];

    private static readonly Lazy<string> UnknownAccountHash = new(() => ConsolePasswords.Hash(Guid.NewGuid().ToString("N")));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A console form to {Path} from {Client} was refused: its antiforgery token is missing or wrong")]
    private static partial void LogForgedForm(ILogger logger, string path, string client);
}
