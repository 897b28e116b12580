using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Clearinghouse.TestSupport;

/// <summary>
/// The servers a test run or a bench tool started (silos, redis-server, Azurite): killed when the process that started
/// them exits, also when it is stopped with SIGTERM or Ctrl+C, so that a stopped bench or test run leaves nothing
/// running (a SIGKILL of that process leaves them running).
/// </summary>
public static class ChildProcesses
{
    private static readonly ConcurrentDictionary<Process, bool> Running = new();

    // A console tool stopped by a signal does not always raise ProcessExit before it ends: the signals are handled too
    // (and not cancelled, so the process still ends as it would have).
    private static readonly PosixSignalRegistration[] Signals =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll()),
        PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll()),
    ];

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
