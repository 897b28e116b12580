namespace Clearinghouse.Domain;

/// <summary>
/// Input that cannot be accepted, naming the field at fault. The gateway turns it into gRPC
/// <c>InvalidArgument</c> ("field: problem"); it is serializable so that a grain may raise it too.
/// </summary>
[GenerateSerializer]
public sealed class InvalidFieldException : ArgumentException
{
    public InvalidFieldException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
        Problem = problem;
    }

    [Id(0)]
    public string Field { get; }

    [Id(1)]
    public string Problem { get; }

    /// <summary>The same problem, of the field inside an item of a list (<c>records[3]</c> + <c>.pattern</c>).</summary>
    public InvalidFieldException Within(string item) => new($"{item}.{Field}", Problem);
}
