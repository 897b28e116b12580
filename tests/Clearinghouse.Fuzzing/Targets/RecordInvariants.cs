using Clearinghouse.Domain;

namespace Clearinghouse.Fuzzing.Targets;

public static class RecordInvariants
{
    /// <summary>A validated record: normalised pattern, defined enums, threat level in range, stored message text.</summary>
    public static void CheckNewRecord(NewRecord record)
    {
        DomainInvariants.CheckPattern(record.Pattern);
        InvariantViolation.Check(Enum.IsDefined(record.Channel) && Enum.IsDefined(record.Action) && Enum.IsDefined(record.Source), $"a record with undefined enums: {record}");
        InvariantViolation.Check(record.ThreatLevel is >= 0 and <= BlockingRecord.MaxThreatLevel, $"threat level {record.ThreatLevel}");
        DomainInvariants.CheckStoredReplyText(record.Message);
    }
}
