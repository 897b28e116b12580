using System.Globalization;
using System.Text;
using Clearinghouse.Fuzzing;
using SharpFuzz;

// Usage (bench/fuzz.sh builds, instruments and runs this):
//   list                                         the targets and what each checks
//   run [--target all|a,b] [--inputs N] [--seed S] [--minutes M] [--timeout-ms T] [--max-findings F] [--findings DIR]
//                                                in-process: seeds, then grammar-generated and mutated inputs
//   repro --target T (--hex HEX | --file PATH)   one input, as a finding printed it
//   seeds --target T --out DIR                   the target's seeds as files (afl-fuzz's test cases)
//   dict --target T --out FILE                   the target's tokens as an afl-fuzz dictionary
//   afl --target T                               the target under afl-fuzz (SharpFuzz's fork server, stdin input)
// Instrumented code writes coverage through a pointer that is null until the bitmap is installed: install it first.
CoverageMap.Install(FuzzTargets.TargetAssemblies);

string? Value(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

long Number(string name, long fallback) => Value(name) is { } text ? long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : fallback;

FuzzTarget Target() => FuzzTargets.Find(Value("--target") ?? throw new ArgumentException("--target is required"));

switch (args.FirstOrDefault())
{
    case "list":
        foreach (var target in FuzzTargets.All)
        {
            Console.WriteLine($"{target.Name}\n    {target.Description}");
        }

        return 0;

    case "run":
        return Run();

    case "repro":
    {
        var target = Target();
        var input = Value("--hex") is { } hex ? Convert.FromHexString(hex) : File.ReadAllBytes(Value("--file") ?? throw new ArgumentException("--hex or --file is required"));
        var finding = FuzzRunner.Replay(target, input);
        Console.WriteLine(finding?.ToString() ?? $"no failure: {target.Execute(input)} ({InputText.Describe(input)})");
        return finding is null ? 0 : 1;
    }

    case "seeds":
    {
        var target = Target();
        var directory = Directory.CreateDirectory(Value("--out") ?? throw new ArgumentException("--out is required"));
        var index = 0;
        foreach (var seed in target.Seeds())
        {
            File.WriteAllBytes(Path.Combine(directory.FullName, $"seed-{index++:D3}"), seed);
        }

        return 0;
    }

    case "dict":
    {
        var target = Target();
        var lines = target.Dictionary.Concat(Mutator.InterestingText).Distinct().Select((token, i) => $"token_{i}=\"{AflEscape(token)}\"");
        File.WriteAllLines(Value("--out") ?? throw new ArgumentException("--out is required"), lines);
        return 0;
    }

    case "afl":
    {
        var target = Target();
        Fuzzer.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            target.Execute(memory.ToArray());
        });
        return 0;
    }

    default:
        Console.Error.WriteLine("usage: Clearinghouse.Fuzz list | run [options] | repro --target T --hex HEX | seeds --target T --out DIR | dict --target T --out FILE | afl --target T");
        return 2;
}

int Run()
{
    var names = Value("--target") ?? "all";
    var targets = names == "all" ? FuzzTargets.All : names.Split(',').Select(FuzzTargets.Find).ToList();
    var options = new FuzzOptions
    {
        Inputs = Number("--inputs", 1_000_000),
        Seed = (int)Number("--seed", 1),
        Duration = Value("--minutes") is { } minutes ? TimeSpan.FromMinutes(double.Parse(minutes, CultureInfo.InvariantCulture)) : null,
        InputTimeout = TimeSpan.FromMilliseconds(Number("--timeout-ms", 5000)),
        MaxFindings = (int)Number("--max-findings", 10),
        Progress = report => Console.WriteLine($"  … {report.Summary()}"),
        ProgressInterval = TimeSpan.FromSeconds(Number("--progress-seconds", 60)),
    };
    var findingsDirectory = Value("--findings");
    Console.WriteLine($"Clearinghouse fuzz: {targets.Count} targets, {options.Inputs:N0} inputs each, seed {options.Seed}, " +
        $"time-out {options.InputTimeout.TotalMilliseconds:0} ms per input, coverage {(CoverageMap.Enabled ? "on (instrumented assemblies)" : "off")}");
    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    var reports = new List<FuzzReport>();
    foreach (var target in targets)
    {
        var report = FuzzRunner.Run(target, options);
        reports.Add(report);
        Console.WriteLine(report.Summary());
        foreach (var finding in report.Findings)
        {
            Console.WriteLine();
            Console.WriteLine(finding);
            if (findingsDirectory is not null)
            {
                Directory.CreateDirectory(findingsDirectory);
                File.WriteAllBytes(Path.Combine(findingsDirectory, $"{target.Name}-{finding.Kind}-{finding.InputIndex}"), finding.Input);
            }
        }

        if (report.Findings.Any(f => f.Kind == FindingKind.Hang))
        {
            // The hung worker cannot be stopped: report what ran and leave.
            break;
        }
    }

    Console.WriteLine();
    Console.WriteLine($"Total: {reports.Sum(r => r.Inputs):N0} inputs, {reports.Sum(r => r.Findings.Count)} findings, {reports.Sum(r => r.Elapsed.TotalSeconds):0} s");
    return reports.All(r => r.Passed) ? 0 : 1;
}

// afl-fuzz dictionary values: printable ASCII, with \\, \" and \xNN escapes for everything else (as UTF-8 bytes).
static string AflEscape(string token)
{
    var builder = new StringBuilder();
    foreach (var b in Encoding.UTF8.GetBytes(token))
    {
        builder.Append(b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
    }

    return builder.ToString();
}
