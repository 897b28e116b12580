using System.Globalization;
using System.Text;
using static Clearinghouse.Gateway.Console.ConsoleLayout;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Console;

/// <summary>Proven delisting requests awaiting review, each with its proof; approve or refuse with a reason.</summary>
public static class DelistingPage
{
    public static string Body(PageContext context, V1.ListDelistingRequestsResponse waiting)
    {
        var body = new StringBuilder("<p class=\"api\">Operator.ListDelistingRequests</p>");
        if (waiting.Requests.Count == 0)
        {
            body.Append("<p class=\"muted\">No delisting request is waiting for review.</p>");
        }

        foreach (var request in waiting.Requests)
        {
            var proof = request.Proof;
            body.Append(CultureInfo.InvariantCulture, $"""
                <h2>{E(request.Subject)} <span class="muted">({Name(request.SubjectKind)})</span></h2>
                <dl class="facts">
                <dt>Request</dt><dd><code>{E(request.RequestId)}</code>, opened {Time(request.CreatedAt)} from {E(request.Requester)}</dd>
                <dt>Status</dt><dd>{State(Name(request.Status))}</dd>
                <dt>Their explanation</dt><dd>{E(request.Explanation)}</dd>
                <dt>Proof</dt><dd>{(proof is null ? "none" : $"{Name(proof.Method)} at {Time(proof.At)}: {E(proof.Detail)}")}</dd>
                </dl>
                """);
            var id = $"<input type=\"hidden\" name=\"request_id\" value=\"{E(request.RequestId)}\">";
            body.Append(ChangeForm(context, "/delisting/approve", "Operator.ApproveDelisting", id + "<input type=\"text\" name=\"reason\" maxlength=\"450\" placeholder=\"reason (optional, published with the remove)\" aria-label=\"Reason to approve\">", "Approve: remove from the list", formClass: "inline"));
            body.Append(ChangeForm(context, "/delisting/refuse", "Operator.RefuseDelisting", id + "<input type=\"text\" name=\"reason\" maxlength=\"450\" required placeholder=\"reason (required: the requester reads it)\" aria-label=\"Reason to refuse\">", "Refuse", danger: true, formClass: "inline"));
        }

        return body.ToString();
    }
}
