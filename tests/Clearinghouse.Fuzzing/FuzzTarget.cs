namespace Clearinghouse.Fuzzing;

/// <summary>What one input did to a target: accepted by the parser, or refused with its documented error.</summary>
public enum FuzzOutcome
{
    Rejected = 0,
    Accepted = 1,
}

/// <summary>
/// One parser of outside input under fuzzing. A target turns bytes (as they arrive from outside) into the parser's
/// input, runs it, catches the parser's documented validation error (returning <see cref="FuzzOutcome.Rejected"/>),
/// and checks what the parser accepted against its own invariants, throwing <see cref="InvariantViolation"/> when one
/// fails. Any other exception is a crash. A new target is one class deriving from <see cref="TextFuzzTarget"/> or
/// <see cref="ProtoFuzzTarget{TMessage}"/> in this assembly: <see cref="FuzzTargets.All"/> finds it.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The name the fuzz tool and reports use (<c>address</c>, <c>spf-record</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Which parser, and the invariants checked besides "no exception but the documented one".</summary>
    public abstract string Description { get; }

    /// <summary>Valid and boundary inputs a run starts from (and afl-fuzz's initial test cases).</summary>
    public abstract IEnumerable<byte[]> Seeds();

    /// <summary>A fresh input from the target's grammar: mostly well-formed, with deliberate near-misses.</summary>
    public abstract byte[] Generate(FuzzRandom random);

    /// <summary>Mutations never grow an input beyond this: a little over the longest input the parser can accept.</summary>
    public virtual int MaxInputBytes => 1024;

    /// <summary>Tokens of the input language that the mutator splices into inputs.</summary>
    public virtual IReadOnlyList<string> Dictionary => [];

    /// <summary>Runs the parser on one input; throws on a crash or a broken invariant.</summary>
    public abstract FuzzOutcome Execute(ReadOnlySpan<byte> input);

    public override string ToString() => Name;
}
