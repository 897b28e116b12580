namespace Clearinghouse.Domain;

/// <summary>What became of one copy's lease in a batch of renewals (<see cref="PublishedRecipient{THolder}.TryRenew"/>).</summary>
[GenerateSerializer]
public enum LeaseRenewal
{
    /// <summary>Renewed: the copy is current and its hits were counted.</summary>
    Renewed = 0,

    /// <summary>A write superseded the copy (its grain invalidates it, if it has not yet); its hits were counted.</summary>
    Superseded = 1,

    /// <summary>The recipient's grain is not active on that silo (any more); the hits were not taken.</summary>
    Gone = 2,
}
