namespace Clearinghouse.Grains;

/// <summary>Names of the grain storage providers the silo registers (memory or Redis, by configuration).</summary>
public static class StorageNames
{
    public const string Clearinghouse = "clearinghouse";
}
