using Microsoft.Extensions.Options;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// What a silo that could not start (or stop) prints before it exits with code 1. A configuration error is one clear
/// line with every message of the exception's chain ("Clearinghouse did not start: ..."), without a stack trace; any
/// other exception is printed in full after it, since it is a bug or an environment fault someone must look into.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 1;

    public static int Report(string what, Exception error)
    {
        Console.Error.WriteLine($"Clearinghouse {what}: {Describe(error)}");
        if (!IsConfigurationError(error))
        {
            Console.Error.WriteLine(error);
        }

        return ExitCode;
    }

    /// <summary>The messages of <paramref name="error"/> and its inner exceptions, each once, joined.</summary>
    public static string Describe(Exception error) => string.Join(" ", Causes(error).Select(e => e.Message.Trim()).Distinct());

    private static bool IsConfigurationError(Exception error) =>
        Causes(error).All(e => e is InvalidOperationException or OptionsValidationException or ArgumentException or FormatException or AggregateException);

    private static IEnumerable<Exception> Causes(Exception error)
    {
        if (error is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions.SelectMany(Causes))
            {
                yield return inner;
            }

            yield break;
        }

        yield return error;
        if (error.InnerException is { } cause)
        {
            foreach (var inner in Causes(cause))
            {
                yield return inner;
            }
        }
    }
}
