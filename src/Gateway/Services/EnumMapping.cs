namespace Clearinghouse.Gateway.Services;

/// <summary>
/// Maps a proto enum and its domain twin by member name (case-insensitive; <c>SPF_RESULT_SOFTFAIL</c> is
/// <c>Softfail</c> in C#, <c>SoftFail</c> in the domain), built once. Every domain member must have a proto twin:
/// a missing one fails when the mapping is built, at start, not on the call that meets it.
/// </summary>
public sealed class EnumMapping<TProto, TDomain>
    where TProto : struct, Enum
    where TDomain : struct, Enum
{
    private readonly Dictionary<TProto, TDomain> toDomain = [];
    private readonly Dictionary<TDomain, TProto> toProto = [];
    private readonly string noun;
    private readonly TDomain? unspecifiedMeans;

    /// <param name="noun">What a value is, for errors ("is not a known <paramref name="noun"/>").</param>
    /// <param name="unspecifiedMeans">What an unset (zero) proto value means; null when it is an error ("is required").</param>
    /// <param name="renamed">Pairs whose names differ.</param>
    public EnumMapping(string noun, TDomain? unspecifiedMeans = null, params (TProto Proto, TDomain Domain)[] renamed)
    {
        this.noun = noun;
        this.unspecifiedMeans = unspecifiedMeans;
        foreach (var (proto, domain) in renamed)
        {
            Add(proto, domain);
        }

        var protoByName = Enum.GetValues<TProto>().ToDictionary(p => p.ToString(), StringComparer.OrdinalIgnoreCase);
        foreach (var domain in Enum.GetValues<TDomain>())
        {
            if (toProto.ContainsKey(domain))
            {
                continue;
            }

            if (!protoByName.TryGetValue(domain.ToString(), out var proto))
            {
                throw new InvalidOperationException($"{typeof(TDomain).Name}.{domain} has no twin in {typeof(TProto).FullName}");
            }

            Add(proto, domain);
        }
    }

    public TDomain ToDomain(TProto value, string field)
    {
        if (toDomain.TryGetValue(value, out var domain))
        {
            return domain;
        }

        if (Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return unspecifiedMeans ?? throw new Domain.InvalidFieldException(field, "is required");
        }

        throw new Domain.InvalidFieldException(field, $"{Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)} is not a known {noun}");
    }

    public TProto ToProto(TDomain value) => toProto[value];

    private void Add(TProto proto, TDomain domain)
    {
        toDomain[proto] = domain;
        toProto[domain] = proto;
    }
}
