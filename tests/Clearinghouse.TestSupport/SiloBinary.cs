
namespace Clearinghouse.TestSupport;

/// <summary>Where the built <c>Clearinghouse.Silo.dll</c> is.</summary>
public static class SiloBinary
{
    public const string FileName = "Clearinghouse.Silo.dll";

    /// <summary>
    /// <c>CLEARINGHOUSE_SILO_DLL</c> if set; else beside the running program when it was built with the silo (a test
    /// project that references it); else the newest of <c>src/Silo/bin/{Release,Debug}/net10.0</c>.
    /// </summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("CLEARINGHOUSE_SILO_DLL") is { Length: > 0 } configured)
        {
            return configured;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")))
        {
            return beside;
        }

        var root = RepositoryRoot();
        var built = new[] { "Release", "Debug" }
            .Select(configuration => new FileInfo(Path.Combine(root, "src", "Silo", "bin", configuration, "net10.0", FileName)))
            .Where(file => file.Exists)
            .OrderByDescending(file => file.LastWriteTimeUtc)
            .FirstOrDefault();
        return built?.FullName ?? throw new FileNotFoundException($"{FileName} is not built: run 'dotnet build src/Silo -c Release'");
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Clearinghouse.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
