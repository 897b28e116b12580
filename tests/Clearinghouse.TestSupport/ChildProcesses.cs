using System.Collections.Concurrent;
using System.Diagnostics;

namespace Clearinghouse.TestSupport;

/// <summary>
/// The servers a test run or a bench tool started (silos, redis-server, Azurite): killed when the process that started
/// them exits, also when it is stopped with SIGTERM, so that a stopped bench or test run leaves nothing running (a
/// SIGKILL of that process leaves them running).
/// </summary>
public static class ChildProcesses
{
    private static readonly ConcurrentDictionary<Process, bool> Running = new();

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static Process Track(Process process)
    {
        Running[process] = true;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => Running.TryRemove(process, out _);
        return process;
    }

    private static void KillAll()
    {
        foreach (var process in Running.Keys)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
    }
}
