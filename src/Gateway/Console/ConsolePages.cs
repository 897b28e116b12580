using System.Globalization;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Services;
using Grpc.Core;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// The console's pages and forms. A page reads through <see cref="OperatorActions"/>; a form checks its antiforgery
/// token, charges the operator's write limit, makes one <see cref="OperatorActions"/> call (which refuses a viewer and
/// bad input, and audits the change) and redirects back with what happened.
/// </summary>
public static class ConsolePages
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/", context => PageAsync(context, "Overview", "/", async (actions, caller, _) => OverviewPage.Body(await actions.GetOverview(caller))));
        pages.MapGet("/overview/events", OverviewEventsAsync);

        pages.MapGet("/senders", context => PageAsync(context, "Senders", "/senders", async (actions, caller, _) =>
        {
            var query = context.Request.Query["q"].ToString();
            return SenderPages.List(await actions.ListTopSenders(new V1.ListTopSendersRequest { Query = query, Limit = 100 }, caller), query);
        }));
        pages.MapGet("/senders/view", context => PageAsync(context, "Sender", "/senders", async (actions, caller, page) =>
        {
            var address = context.Request.Query["address"].ToString();
            var report = await actions.GetSender(new V1.GetSenderRequest { Sender = address }, caller);
            var activity = actions.GetSenderActivity(new V1.GetSenderRequest { Sender = report.Sender }, caller);
            var history = actions.ListFilterChanges(new V1.ListFilterChangesRequest { Query = report.Sender, Limit = 100 }, caller);
            var audit = actions.ListAudit(new V1.ListAuditRequest { Target = AuditNames.Sender(Address.Parse(report.Sender, "address")), PageSize = 50 }, caller);
            return SenderPages.Sender(page, report, await activity, await history, await audit);
        }));
        pages.MapPost("/senders/delist", context => ChangeAsync(context, async (actions, caller, form) =>
        {
            var address = form["address"].ToString();
            var result = await actions.Delist(new V1.DelistRequest { Sender = address, Reason = form["reason"].ToString() }, caller);
            var sender = Address.Parse(address, "address").Value;
            return ($"/senders/view?address={Uri.EscapeDataString(sender)}", result.Delisted ? $"{sender} is delisted: a remove is on the filter list." : $"{sender} was not listed: nothing changed.");
        }));

        pages.MapGet("/escalations", context => PageAsync(context, "Escalations", "/escalations", async (actions, caller, page) =>
        {
            var status = ParseName<V1.DeliveryStatus>(context.Request.Query["status"], "status");
            return EscalationPage.Body(page, await actions.ListCases(new V1.ListCasesRequest { Status = status, Limit = 100 }, caller), status);
        }));
        pages.MapPost("/escalations/resend", context => ChangeAsync(context, async (actions, caller, form) =>
        {
            var delivery = await actions.ResendDelivery(new V1.ResendDeliveryRequest { DeliveryId = form["delivery_id"].ToString(), Reason = form["reason"].ToString() }, caller);
            return ("/escalations", $"{delivery.DeliveryId} is queued again: attempts start now.");
        }));

        pages.MapGet("/filter-list", context => PageAsync(context, "Filter list", "/filter-list", async (actions, caller, page) =>
        {
            var query = context.Request.Query["q"].ToString();
            var kind = ParseName<V1.FilterEntryKind>(context.Request.Query["kind"], "kind");
            var listed = actions.SearchFilterList(new V1.SearchFilterListRequest { Query = query, Kind = kind, Limit = 100, PageToken = context.Request.Query["page"].ToString() }, caller);
            var changes = actions.ListFilterChanges(new V1.ListFilterChangesRequest { Limit = 50 }, caller);
            return FilterListPage.Body(page, await listed, await changes, query, kind);
        }));
        pages.MapPost("/filter-list/add", context => ChangeAsync(context, async (actions, caller, form) =>
        {
            var result = await actions.ListEntry(new V1.ListEntryRequest { Kind = ParseName<V1.FilterEntryKind>(form["kind"], "kind"), Value = form["value"].ToString(), Reason = form["reason"].ToString() }, caller);
            return ("/filter-list", result.Changed ? $"{result.Value} is listed (version {result.Version}, case {result.CaseId})." : $"{result.Value} was already listed: nothing changed.");
        }));
        pages.MapPost("/filter-list/remove", context => ChangeAsync(context, async (actions, caller, form) =>
        {
            var result = await actions.UnlistEntry(new V1.UnlistEntryRequest { Kind = ParseName<V1.FilterEntryKind>(form["kind"], "kind"), Value = form["value"].ToString(), Reason = form["reason"].ToString() }, caller);
            return ("/filter-list", result.Changed ? $"{result.Value} is removed (version {result.Version})." : $"{result.Value} was not listed: nothing changed.");
        }));

        pages.MapGet("/thresholds", context => PageAsync(context, "Thresholds", "/thresholds", async (actions, caller, page) =>
        {
            var thresholds = actions.GetThresholds(caller);
            var changes = actions.ListAudit(new V1.ListAuditRequest { Action = AuditNames.ThresholdsSet, PageSize = 20 }, caller);
            return ThresholdPage.Body(page, await thresholds, await changes);
        }));
        pages.MapPost("/thresholds", context => ChangeAsync(context, async (actions, caller, form) =>
        {
            var request = new V1.Thresholds
            {
                Mode = form["mode"].ToString() == "ranked" ? V1.ThresholdMode.Ranked : form["mode"].ToString() == "absolute" ? V1.ThresholdMode.Absolute : throw new InvalidFieldException("mode", "must be absolute or ranked"),
                AbsoluteThreshold = Count(form["absolute_threshold"], "absolute_threshold"),
                RankDivisor = Count(form["rank_divisor"], "rank_divisor"),
                MinimumProviders = Count(form["minimum_providers"], "minimum_providers"),
            };
            var set = await actions.SetThresholds(request, caller);
            return ("/thresholds", $"Thresholds changed: {(set.Mode == V1.ThresholdMode.Ranked ? $"top 1/{set.RankDivisor}" : $"more than {set.AbsoluteThreshold} recipients")}, at least {set.MinimumProviders} providers.");
        }));

        pages.MapGet("/audit", context => PageAsync(context, "Audit log", "/audit", async (actions, caller, _) =>
        {
            var query = context.Request.Query;
            var request = new V1.ListAuditRequest { Actor = query["actor"].ToString(), Action = query["action"].ToString(), Target = query["target"].ToString(), PageSize = 100, PageToken = query["page"].ToString() };
            return AuditPage.Body(await actions.ListAudit(request, caller), request.Actor, request.Action, request.Target);
        }));

        pages.MapGet("/delisting", context => PageAsync(context, "Delisting requests", "/delisting", async (actions, caller, page) =>
            DelistingPage.Body(page, await actions.ListDelistingRequests(new V1.ListDelistingRequestsRequest { Limit = 100 }, caller))));
        pages.MapPost("/delisting/approve", context => ReviewAsync(context, approve: true));
        pages.MapPost("/delisting/refuse", context => ReviewAsync(context, approve: false));

        pages.MapGet("/cluster", context => PageAsync(context, "Cluster", "/cluster", async (actions, caller, _) =>
            ClusterPage.Body(await actions.GetOverview(caller), context.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.OrleansDashboard)));
    }

    private static Task ReviewAsync(HttpContext context, bool approve) => ChangeAsync(context, async (actions, caller, form) =>
    {
        var request = await actions.ReviewDelisting(new V1.ReviewDelistingRequest { RequestId = form["request_id"].ToString(), Reason = form["reason"].ToString() }, caller, approve);
        return ("/delisting", $"The request for {request.Subject} is {(approve ? "approved: it is removed from the list" : "refused")}.");
    });

    /// <summary>The overview's samples as server-sent events: the kept ones first (event <c>history</c>), then one a second.</summary>
    private static async Task OverviewEventsAsync(HttpContext context)
    {
        OperatorsConsole.Operator(context).RequireOperator();
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var watch = context.RequestServices.GetRequiredService<OverviewFeed>().Watch();
        await response.WriteAsync($"retry: 2000\nevent: history\ndata: [{string.Join(",", watch.History)}]\n\n", context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await foreach (var sample in watch.Live.ReadAllAsync(context.RequestAborted))
            {
                await response.WriteAsync($"event: sample\ndata: {sample}\n\n", context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task PageAsync(HttpContext context, string title, string section, Func<OperatorActions, Caller, PageContext, Task<string>> body)
    {
        var caller = OperatorsConsole.Operator(context);
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var page = new PageContext(caller.Id, caller.OperatorRole == OperatorRole.Administrator, tokens.RequestToken!, context.Request.Query["message"].ToString());
        string html;
        int status;
        try
        {
            html = await body(context.RequestServices.GetRequiredService<OperatorActions>(), caller, page);
            status = StatusCodes.Status200OK;
        }
        catch (Exception error) when (Failure(error) is { } failure)
        {
            html = $"<p class=\"notice error\" role=\"alert\">{ConsoleLayout.E(failure.Message)}</p>";
            status = failure.Status;
        }

        await OperatorsConsole.Html(context, status, ConsoleLayout.Page(title, section, page, html));
    }

    private static async Task ChangeAsync(HttpContext context, Func<OperatorActions, Caller, IFormCollection, Task<(string Back, string Message)>> change)
    {
        var services = context.RequestServices;
        if (!await OperatorsConsole.IsValidFormAsync(context, services.GetRequiredService<IAntiforgery>()))
        {
            return;
        }

        var back = OperatorsConsole.LocalPath(context.Request.Headers.Referer.ToString() is { Length: > 0 } referer && Uri.TryCreate(referer, UriKind.Absolute, out var from) ? from.PathAndQuery : "/");
        try
        {
            var caller = OperatorsConsole.Operator(context);
            services.GetRequiredService<WriteRateLimiter>().Acquire(caller);
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var (to, message) = await change(services.GetRequiredService<OperatorActions>(), caller, form);
            context.Response.Redirect($"{to}{(to.Contains('?', StringComparison.Ordinal) ? '&' : '?')}message={Uri.EscapeDataString(message)}");
        }
        catch (Exception error) when (Failure(error) is { } failure)
        {
            await OperatorsConsole.Html(context, failure.Status, LoginPage.Error("Not done", failure.Message, back));
        }
    }

    /// <summary>How a failed call is answered: the operator API's refusals as HTTP statuses, with their message.</summary>
    private static (int Status, string Message)? Failure(Exception error) => error switch
    {
        InvalidFieldException invalid => (StatusCodes.Status400BadRequest, invalid.Message),
        RpcException { StatusCode: StatusCode.InvalidArgument } rpc => (StatusCodes.Status400BadRequest, rpc.Status.Detail),
        RpcException { StatusCode: StatusCode.PermissionDenied } rpc => (StatusCodes.Status403Forbidden, rpc.Status.Detail),
        RpcException { StatusCode: StatusCode.Unauthenticated } rpc => (StatusCodes.Status401Unauthorized, rpc.Status.Detail),
        RpcException { StatusCode: StatusCode.NotFound } rpc => (StatusCodes.Status404NotFound, rpc.Status.Detail),
        RpcException { StatusCode: StatusCode.ResourceExhausted } rpc => (StatusCodes.Status429TooManyRequests, rpc.Status.Detail),
        RpcException rpc => (StatusCodes.Status503ServiceUnavailable, rpc.Status.Detail),
        TimeoutException or Orleans.Runtime.OrleansException => (StatusCodes.Status503ServiceUnavailable, "the cluster did not answer in time; retry"),
        _ => null,
    };

    private static uint Count(string? text, string field) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new InvalidFieldException(field, "must be a whole number");

    /// <summary>A proto enum from its lower-case name (<c>dead_letter</c>); empty means unspecified.</summary>
    private static T ParseName<T>(string? text, string field)
        where T : struct, System.Enum
    {
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        foreach (var value in System.Enum.GetValues<T>())
        {
            if (ConsoleLayout.Name(value) == text)
            {
                return value;
            }
        }

        throw new InvalidFieldException(field, $"'{text}' is not a known {field}");
    }
}
