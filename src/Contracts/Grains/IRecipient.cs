using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// One recipient's blocking and allow records. Key: the normalised recipient address (<see cref="Address.Value"/>).
/// Writes are acknowledged only once persisted; evaluation never writes (hit counts are flushed on a timer).
/// </summary>
public interface IRecipient : IGrainWithStringKey
{
    /// <summary>Adds a record, or replaces the one with the same pattern and channel (keeping its id and hits).</summary>
    Task<AddRecordResult> AddRecord(NewRecord record);

    /// <summary>Removes a record; false when no record has that id.</summary>
    Task<bool> RemoveRecord(string recordId);

    Task<IReadOnlyList<RecordView>> ListRecords();

    /// <summary>The verdict for one message from <see cref="CheckRequest.Sender"/> to this recipient.</summary>
    Task<Verdict> Evaluate(CheckRequest request);
}

/// <summary>What the recipient grain needs to judge a message. The sender is already normalised.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckRequest(
    [property: Id(0)] Address Sender,
    [property: Id(1)] Channel Channel);
