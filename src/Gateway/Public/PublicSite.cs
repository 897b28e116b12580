using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Clearinghouse.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Public;

/// <summary>
/// The public site on its own port (<see cref="PublicSiteOptions"/>): HTML pages and forms, and the same as JSON under
/// <c>/api/v1/</c>. No credential; rate-limited per client address. Only these routes answer on that port, and they
/// answer on no other. Every answer carries a strict Content-Security-Policy (nothing from another origin, no script,
/// forms post only to the site itself), no referrer (links carry tokens) and no caching.
/// </summary>
public static partial class PublicSite
{
    private const string LookupPolicy = "public-lookup";
    private const string DelistingPolicy = "public-delisting";
    private const long MaxBodyBytes = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Marks the routes of the public site.</summary>
    private sealed class PublicRoute
    {
        public static readonly PublicRoute Instance = new();
    }

    public static IServiceCollection AddPublicSite(this IServiceCollection services)
    {
        services.AddSingleton<ListingLookup>();
        services.AddSingleton<DelistingDesk>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(LookupPolicy, context =>
            {
                var perMinute = Math.Max(1, Options(context).LookupsPerMinute);
                return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.RateLimitKey(context), _ => Bucket(perMinute, TimeSpan.FromMinutes(1)));
            });
            limiter.AddPolicy(DelistingPolicy, context =>
            {
                var perHour = Math.Max(1, Options(context).DelistingCallsPerHour);
                return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.RateLimitKey(context), _ => Bucket(perHour, TimeSpan.FromHours(1)));
            });
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                return new ValueTask(WriteErrorAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "too many requests from your address; retry later", retryAfter));
            };
        });
        return services;
    }

    public static void MapPublicSite(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PublicSiteOptions>>().Value;
        if (options.Port is not { } port)
        {
            return;
        }

        // Only the public port's requests reach the rate limiter: the verdict path does not pay for it.
        app.Use(async (context, next) =>
        {
            var onPublicPort = context.Connection.LocalPort == port;
            var publicRoute = context.GetEndpoint()?.Metadata.GetMetadata<PublicRoute>() is not null;
            if (onPublicPort)
            {
                SecureHeaders(context.Response.Headers, options.Scheme == "https");
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
                {
                    body.MaxRequestBodySize = MaxBodyBytes;
                }
            }

            if (onPublicPort != publicRoute)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        app.UseWhen(context => context.Connection.LocalPort == port, publicPort => publicPort.UseRateLimiter());

        var site = app.MapGroup("").WithMetadata(PublicRoute.Instance, new LocalPortRoute(port));
        site.MapGet("/style.css", context => Text(context, "text/css; charset=utf-8", PublicPages.Stylesheet));
        site.MapGet("/", context => Text(context, "text/html; charset=utf-8", PublicPages.Home()));
        site.MapGet("/lookup", context => Html(context, async () => PublicPages.Lookup(await Lookup(context).LookupAsync(context.Request.Query["q"]))))
            .RequireRateLimiting(LookupPolicy);
        site.MapGet("/delist", context => Text(context, "text/html; charset=utf-8",
            PublicPages.DelistingForm(context.Request.Query["subject"].ToString(), MailAvailable(context))));
        site.MapPost("/delist", context => Html(context, async () =>
        {
            var form = await FormAsync(context);
            var request = await Desk(context).OpenAsync(form["subject"], form["method"], form["explanation"], ClientAddress.Of(context));
            return PublicPages.Request(request, StatusUrl(context, request));
        })).RequireRateLimiting(DelistingPolicy);
        site.MapGet("/delist/confirm", ConfirmPageAsync);
        site.MapPost("/delist/confirm", context => Html(context, async () =>
        {
            var form = await FormAsync(context);
            var request = await Desk(context).ConfirmAsync(form["subject"], form["request_id"], form["token"], ClientAddress.Of(context));
            return PublicPages.Request(request, StatusUrl(context, request));
        })).RequireRateLimiting(DelistingPolicy);
        site.MapPost("/delist/check-dns", context => Html(context, async () =>
        {
            var form = await FormAsync(context);
            var request = await Desk(context).CheckDnsAsync(form["subject"], form["request_id"], ClientAddress.Of(context), context.RequestAborted);
            return PublicPages.Request(request, StatusUrl(context, request));
        })).RequireRateLimiting(DelistingPolicy);
        site.MapGet("/delist/status", context => Html(context, async () =>
        {
            var query = context.Request.Query;
            var request = await Desk(context).StatusAsync(query["subject"], query["request"]);
            return PublicPages.Request(request, StatusUrl(context, request));
        })).RequireRateLimiting(LookupPolicy);

        var api = site.MapGroup("/api/v1");
        api.MapGet("/lookup", context => JsonAsync(context, async () => await Lookup(context).LookupAsync(context.Request.Query["q"])))
            .RequireRateLimiting(LookupPolicy);
        api.MapPost("/delisting-requests", context => JsonAsync(context, async () =>
        {
            var body = await BodyAsync<OpenBody>(context);
            return ToJson(context, await Desk(context).OpenAsync(body.Subject, body.Method, body.Explanation, ClientAddress.Of(context)));
        })).RequireRateLimiting(DelistingPolicy);
        api.MapPost("/delisting-requests/confirm", context => JsonAsync(context, async () =>
        {
            var body = await BodyAsync<ProofBody>(context);
            return ToJson(context, await Desk(context).ConfirmAsync(body.Subject, body.RequestId, body.Token, ClientAddress.Of(context)));
        })).RequireRateLimiting(DelistingPolicy);
        api.MapPost("/delisting-requests/check-dns", context => JsonAsync(context, async () =>
        {
            var body = await BodyAsync<ProofBody>(context);
            return ToJson(context, await Desk(context).CheckDnsAsync(body.Subject, body.RequestId, ClientAddress.Of(context), context.RequestAborted));
        })).RequireRateLimiting(DelistingPolicy);
        api.MapGet("/delisting-requests/status", context => JsonAsync(context, async () =>
        {
            var query = context.Request.Query;
            return ToJson(context, await Desk(context).StatusAsync(query["subject"], query["request_id"]));
        })).RequireRateLimiting(LookupPolicy);
    }

    // The mailed link's page: it only shows a button, so a scanner that opens links confirms nothing.
    private static Task ConfirmPageAsync(HttpContext context)
    {
        var query = context.Request.Query;
        return Html(context, () => Task.FromResult(PublicPages.ConfirmForm(query["subject"].ToString(), DelistingDesk.RequestId(query["request"], "request"), query["token"].ToString())));
    }

    private sealed record OpenBody(string? Subject, string? Method, string? Explanation);

    private sealed record ProofBody(string? Subject, string? RequestId, string? Token);

    private sealed record DnsJson(string Name, string Value);

    private sealed record ProofJson(string Method, DateTimeOffset At, string Detail);

    private sealed record RequestJson(
        string RequestId,
        string Subject,
        string SubjectKind,
        string Method,
        string Status,
        string Explanation,
        DateTimeOffset CreatedAt,
        DateTimeOffset ProofDeadline,
        DnsJson? Dns,
        ProofJson? Proof,
        DateTimeOffset? DecidedAt,
        string? DecisionReason,
        string StatusUrl);

    private static RequestJson ToJson(HttpContext context, DelistingRequestView request) => new(
        request.Id,
        request.Subject.Value,
        JsonNamingPolicy.SnakeCaseLower.ConvertName(request.Subject.Kind.ToString()),
        DelistingBook.Name(request.Method),
        JsonNamingPolicy.SnakeCaseLower.ConvertName(request.Status.ToString()),
        PublicPages.Explain(request),
        request.CreatedAt,
        request.ProofDeadline,
        request.DnsRecordName is { } name && request.DnsToken is { } token ? new DnsJson(name, token) : null,
        request.Proof is { } proof ? new ProofJson(DelistingBook.Name(proof.Method), proof.At, proof.Detail) : null,
        request.DecidedAt,
        request.DecisionReason,
        StatusUrl(context, request));

    private static string StatusUrl(HttpContext context, DelistingRequestView request) =>
        $"{Options(context).LinkBase}/delist/status?subject={Uri.EscapeDataString(request.Subject.Value)}&request={Uri.EscapeDataString(request.Id)}";

    private static void SecureHeaders(IHeaderDictionary headers, bool https)
    {
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        if (https)
        {
            headers.StrictTransportSecurity = "max-age=31536000";
        }
    }

    private static async Task Text(HttpContext context, string contentType, string text)
    {
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(text);
    }

    private static async Task Html(HttpContext context, Func<Task<string>> page)
    {
        string html;
        try
        {
            html = await page();
        }
        catch (Exception error) when (Failure(context, error) is { } failure)
        {
            await WriteErrorAsync(context, failure.Status, failure.Message, failure.RetryAfter);
            return;
        }

        await Text(context, "text/html; charset=utf-8", html);
    }

    private static async Task JsonAsync<T>(HttpContext context, Func<Task<T>> answer)
    {
        T value;
        try
        {
            value = await answer();
        }
        catch (Exception error) when (Failure(context, error) is { } failure)
        {
            await WriteErrorAsync(context, failure.Status, failure.Message, failure.RetryAfter, json: true);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, Json, context.RequestAborted);
    }

    /// <summary>What the caller is told about a failed call; null for an unexpected error (answered 500 by the host).</summary>
    private static (int Status, string Message, TimeSpan? RetryAfter)? Failure(HttpContext context, Exception error) => error switch
    {
        InvalidFieldException invalid => (StatusCodes.Status400BadRequest, invalid.Message, null),
        PublicSiteException site => (site.Status, site.Message, null),
        TooManyRequestsException tooMany => (StatusCodes.Status429TooManyRequests, tooMany.Message, tooMany.RetryAfter),
        BadHttpRequestException bad => (bad.StatusCode, "the request body is too large or malformed", null),
        TimeoutException or Orleans.Runtime.OrleansException => Unavailable(context, error),
        _ => null,
    };

    private static (int, string, TimeSpan?) Unavailable(HttpContext context, Exception error)
    {
        LogUnavailable(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PublicSite)), error, context.Request.Path);
        return (StatusCodes.Status503ServiceUnavailable, "the clearing house did not answer in time; retry in a moment", TimeSpan.FromSeconds(5));
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message, TimeSpan? retryAfter, bool? json = null)
    {
        context.Response.StatusCode = status;
        if (retryAfter is { } after)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (json ?? context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(context.Response.Body, new { error = message }, Json, context.RequestAborted);
        }
        else
        {
            await Text(context, "text/html; charset=utf-8", PublicPages.Error(message));
        }
    }

    private static async Task<IFormCollection> FormAsync(HttpContext context) =>
        context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted)
            : throw new PublicSiteException(StatusCodes.Status415UnsupportedMediaType, "send the form as application/x-www-form-urlencoded");

    private static async Task<T> BodyAsync<T>(HttpContext context)
        where T : class
    {
        if (!context.Request.HasJsonContentType())
        {
            throw new PublicSiteException(StatusCodes.Status415UnsupportedMediaType, "send the body as application/json");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Json, context.RequestAborted)
                ?? throw new InvalidFieldException("body", "is required: a JSON object");
        }
        catch (JsonException)
        {
            throw new InvalidFieldException("body", "is not a JSON object of the documented form");
        }
    }

    private static TokenBucketRateLimiterOptions Bucket(int permits, TimeSpan period) => new()
    {
        TokenLimit = permits,
        TokensPerPeriod = Math.Max(1, permits / 10),
        ReplenishmentPeriod = period / 10,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static PublicSiteOptions Options(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<PublicSiteOptions>>().Value;

    private static bool MailAvailable(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<DelistingOptions>>().Value.Mail is not null;

    private static ListingLookup Lookup(HttpContext context) => context.RequestServices.GetRequiredService<ListingLookup>();

    private static DelistingDesk Desk(HttpContext context) => context.RequestServices.GetRequiredService<DelistingDesk>();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A public site call to {Path} could not reach the cluster")]
    private static partial void LogUnavailable(ILogger logger, Exception error, string path);
}
