namespace Clearinghouse.Gateway.Grains;

/// <summary>
/// Grain references by string key without Orleans' per-call interface type resolution: <c>GetGrain&lt;T&gt;(key)</c>
/// formats the interface's type name on every call, which showed up as several percent of a verdict's CPU.
/// The grain and interface types are resolved once, here. Register as an open generic singleton.
/// </summary>
public sealed class GrainReferences<TGrain>
    where TGrain : IGrainWithStringKey
{
    private readonly IGrainFactory grains;
    private readonly GrainType grainType;
    private readonly GrainInterfaceType interfaceType;

    public GrainReferences(IGrainFactory grains)
    {
        this.grains = grains;
        var probe = (GrainReference)(object)grains.GetGrain<TGrain>("type-probe");
        grainType = probe.GrainId.Type;
        interfaceType = probe.InterfaceType;
    }

    public TGrain Get(string key) => (TGrain)grains.GetGrain(GrainId.Create(grainType, key), interfaceType);
}
