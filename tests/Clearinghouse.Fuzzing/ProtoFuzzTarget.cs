using Clearinghouse.Domain;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Clearinghouse.Fuzzing;

/// <summary>
/// A gRPC request as a service receives it: arbitrary bytes through <c>Parser.ParseFrom</c> (whose documented error is
/// <see cref="InvalidProtocolBufferException"/>), then through the same proto-to-domain mapping and validation the
/// service runs before it calls a grain (whose documented error is <see cref="InvalidFieldException"/>). A refusal must
/// name a field the request has, since callers read the field from the error detail.
/// </summary>
public abstract class ProtoFuzzTarget<TMessage> : FuzzTarget
    where TMessage : IMessage<TMessage>, new()
{
    private static readonly MessageParser<TMessage> Parser = new(() => new TMessage());
    private static readonly MessageDescriptor Descriptor = new TMessage().Descriptor;

    /// <summary>Room for several fields at their limits (a 998-character Message-ID, 450-character texts).</summary>
    public override int MaxInputBytes => 2048;

    public sealed override IEnumerable<byte[]> Seeds() => SeedMessages().Select(m => m.ToByteArray());

    public sealed override byte[] Generate(FuzzRandom random) => GenerateMessage(random).ToByteArray();

    public sealed override FuzzOutcome Execute(ReadOnlySpan<byte> input)
    {
        TMessage request;
        try
        {
            request = Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException)
        {
            return FuzzOutcome.Rejected;
        }

        try
        {
            Map(request);
            return FuzzOutcome.Accepted;
        }
        catch (InvalidFieldException error)
        {
            CheckNamesAField(error);
            return FuzzOutcome.Rejected;
        }
    }

    /// <summary>Maps and validates <paramref name="request"/> as the service does, and checks what it accepted.</summary>
    protected abstract void Map(TMessage request);

    protected abstract IEnumerable<TMessage> SeedMessages();

    protected abstract TMessage GenerateMessage(FuzzRandom random);

    // "entries[3].identifier", "first_message.date": every step must be a field of the message it is read from.
    private static void CheckNamesAField(InvalidFieldException error)
    {
        var descriptor = Descriptor;
        foreach (var step in error.Field.Split('.'))
        {
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? step : step[..bracket];
            var field = descriptor?.FindFieldByName(name);
            InvariantViolation.Check(field is not null, $"the error '{error.Message}' names '{error.Field}', which is not a field of {Descriptor.Name}");
            descriptor = field!.FieldType == FieldType.Message ? field.MessageType : null;
        }

        InvariantViolation.Check(error.Problem.Length > 0, $"the error for '{error.Field}' says nothing");
    }
}
