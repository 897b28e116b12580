namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// Runs socket completions on .NET's socket event threads rather than handing each one to the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>), unless the environment already says which.
/// </summary>
/// <remarks>
/// Measured (docs/BENCHMARKS.md, the policy suite): a Postfix policy request is one small segment each way on its own
/// connection, and handing each receive to a thread-pool worker cost a wake-up per request, more CPU than the request's
/// own work. Inline, the event thread answers it (the answer is computed from memory, or awaits a grain call, which gives
/// the thread back). What runs inline must never block: a synchronous wait in a socket continuation waits for the very
/// thread that would end it (seen in the test harness, where <c>Process.WaitForExit</c> after an HTTP read hung its
/// process; the test process therefore keeps the default). In the silo, Kestrel and Orleans hand what they read to the
/// thread pool through their pipes, the DNS blocklist's UDP side has threads of its own, and the policy listener and
/// the rest await. .NET reads the variable once, when the first socket is registered, so this runs before anything opens
/// a socket. Operators turn it off with the variable set to 0.
/// </remarks>
public static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void PreferInlineUnlessSet()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    public static bool Inline => Environment.GetEnvironmentVariable(Variable) == "1";
}
