using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>Checks sent on one <c>CheckStream</c> as an MTA sends them, and the answers by id.</summary>
public static class StreamChecks
{
    /// <summary>Sends <paramref name="checks"/> with ids 1, 2, ..., closes the sending side, and reads every answer.</summary>
    public static async Task<Dictionary<ulong, StreamCheckResponse>> AskAsync(this Verdicts.VerdictsClient verdicts, params CheckRecipientRequest[] checks)
    {
        using var stream = verdicts.CheckStream();
        for (var i = 0; i < checks.Length; i++)
        {
            await stream.RequestStream.WriteAsync(new StreamCheckRequest { Id = (ulong)(i + 1), Check = checks[i] });
        }

        await stream.RequestStream.CompleteAsync();
        var answers = new Dictionary<ulong, StreamCheckResponse>();
        await foreach (var answer in stream.ResponseStream.ReadAllAsync())
        {
            answers.Add(answer.Id, answer);
        }

        return answers;
    }
}
