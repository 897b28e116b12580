using System.Globalization;

namespace Clearinghouse.TestSupport;

/// <summary>CPU time of a process and of the whole machine, read from /proc (Linux).</summary>
public static class CpuMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User + system CPU time the process has used so far.</summary>
    public static TimeSpan ProcessCpu(int pid)
    {
        var (user, system) = ProcessCpuSplit(pid);
        return user + system;
    }

    /// <summary>User and system CPU time the process has used so far, apart.</summary>
    public static (TimeSpan User, TimeSpan System) ProcessCpuSplit(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name is in parentheses and may contain spaces: fields are counted after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (TimeSpan.FromSeconds(utime / TicksPerSecond), TimeSpan.FromSeconds(stime / TicksPerSecond));
    }

    /// <summary>
    /// Voluntary and involuntary context switches of a process's live threads so far (/proc/PID/status counts only the
    /// main thread's). Threads that exited meanwhile are missed: a lower bound.
    /// </summary>
    public static long ContextSwitches(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task").Sum(task =>
        {
            try
            {
                return File.ReadLines(Path.Combine(task, "status"))
                    .Where(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || l.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    .Sum(l => long.Parse(l[(l.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                return 0; // the thread exited
            }
        });

    /// <summary>Machine-wide (busy, steal, total) jiffies from the first line of /proc/stat.</summary>
    public static (long Busy, long Steal, long Total) Machine()
    {
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + values[4];
        var steal = values.Length > 7 ? values[7] : 0;
        var total = values.Take(8).Sum();
        return (total - idle, steal, total);
    }
}
