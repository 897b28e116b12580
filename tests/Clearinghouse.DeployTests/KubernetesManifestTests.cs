using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Clearinghouse.DeployTests;

/// <summary>
/// The manifests in deploy/k8s, offline: (1) every object read strictly (unknown fields and wrong types refused)
/// into the official C# client's models, which are generated from the Kubernetes OpenAPI schema; (2) every object
/// validated against the JSON schema of its kind (required fields, types, enums, formats) by kubernetes-models
/// (node deploy/k8s/validate/validate.js); (3) yamllint; (4) what the deployment promises, checked on the objects.
/// scripts/test.sh installs node, the npm packages and yamllint.
/// </summary>
public class KubernetesManifestTests
{
    private static readonly string Directory = Path.Combine(RepositoryRoot(), "deploy", "k8s");

    private static readonly Lazy<List<IKubernetesObject>> Objects = new(() =>
        ManifestFiles().SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true).Cast<IKubernetesObject>()).ToList());

    [Fact]
    public void Every_object_reads_strictly_into_the_Kubernetes_API_models()
    {
        foreach (var file in ManifestFiles())
        {
            var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true);
            Assert.NotEmpty(objects);
            Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject>(o));
        }

        Assert.Equal(
            ["ConfigMap", "Deployment", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount", "StatefulSet"],
            Objects.Value.Select(o => o.Kind).Distinct().Order());
    }

    [Fact]
    public void A_misspelt_field_is_refused_by_the_strict_reading()
    {
        var silo = File.ReadAllText(Path.Combine(Directory, "30-silo.yaml")).Replace("readinessProbe:", "readinesProbe:", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(silo, strict: true));
    }

    [Fact]
    public void Every_object_is_valid_against_the_JSON_schema_of_its_kind()
    {
        var (exitCode, output) = Run("node", Path.Combine(Directory, "validate", "validate.js"), Directory);
        Assert.True(exitCode == 0, output);
        Assert.Contains($"{Objects.Value.Count} objects valid, 0 invalid", output);
    }

    [Fact]
    public void The_manifests_pass_yamllint()
    {
        var (exitCode, output) = Run("yamllint", ["-s", "-c", Path.Combine(Directory, ".yamllint.yaml"), .. ManifestFiles()]);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void Silos_advertise_the_pod_IP_are_probed_drain_in_time_and_roll_without_dropping_below_the_count()
    {
        var silo = Single<V1Deployment>("clearinghouse-silo");
        var pod = silo.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var advertised = Assert.Single(container.Env, e => e.Name == "Clearinghouse__Cluster__AdvertisedAddress");
        Assert.Equal("status.podIP", advertised.ValueFrom.FieldRef.FieldPath);

        Assert.NotNull(container.StartupProbe);
        Assert.NotNull(container.ReadinessProbe);
        Assert.NotNull(container.LivenessProbe);
        var managementPort = int.Parse(Config()["Clearinghouse__Management__Port"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(managementPort, container.Ports.Single(p => p.Name == "management").ContainerPort);

        var shutdown = TimeSpan.Parse(Config()["Clearinghouse__Cluster__ShutdownTimeout"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pod.TerminationGracePeriodSeconds > shutdown.TotalSeconds);

        Assert.True(container.Resources.Requests.ContainsKey("cpu"));
        Assert.False(container.Resources.Limits?.ContainsKey("cpu") ?? false);
        Assert.Equal("0", silo.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);

        var budget = Single<V1PodDisruptionBudget>("clearinghouse-silo");
        Assert.Equal(silo.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        Assert.Contains(Config(), setting => setting.Key == "Kestrel__Endpoints__Grpc__Url" && setting.Value.StartsWith("https://", StringComparison.Ordinal));
    }

    [Fact]
    public void Redis_keeps_an_append_only_file_on_a_persistent_volume_and_only_silos_reach_it()
    {
        var redis = Single<V1StatefulSet>("clearinghouse-redis");
        var args = string.Join(' ', redis.Spec.Template.Spec.Containers.Single().Args);
        Assert.Contains("--appendonly yes", args);
        Assert.Contains("--appendfsync always", args);
        var claim = Assert.Single(redis.Spec.VolumeClaimTemplates);
        Assert.Contains(redis.Spec.Template.Spec.Containers.Single().VolumeMounts, m => m.Name == claim.Metadata.Name && m.MountPath == "/data");

        var siloLabels = Single<V1Deployment>("clearinghouse-silo").Spec.Selector.MatchLabels;
        var toRedis = Single<V1NetworkPolicy>("clearinghouse-redis");
        Assert.Equal(redis.Spec.Selector.MatchLabels, toRedis.Spec.PodSelector.MatchLabels);
        Assert.Equal(siloLabels, Assert.Single(Assert.Single(toRedis.Spec.Ingress).FromProperty).PodSelector.MatchLabels);

        var toSilos = Single<V1NetworkPolicy>("clearinghouse-silo");
        var siloToSilo = Assert.Single(toSilos.Spec.Ingress, rule => rule.Ports.Any(p => p.Port.Value == "11111"));
        Assert.Equal(siloLabels, Assert.Single(siloToSilo.FromProperty).PodSelector.MatchLabels);
        Assert.Contains(siloToSilo.Ports, p => p.Port.Value == "30000");
    }

    private static T Single<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        Objects.Value.OfType<T>().Single(o => o.Metadata.Name == name);

    private static IDictionary<string, string> Config() => Single<V1ConfigMap>("clearinghouse-config").Data;

    private static IEnumerable<string> ManifestFiles() =>
        System.IO.Directory.GetFiles(Directory, "*.yaml").Where(f => !Path.GetFileName(f).StartsWith('.')).Order();

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{program} is not installed: run ./scripts/test.sh, which installs it (node and the npm packages of deploy/k8s/validate, yamllint).");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.Result + errors.Result);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Clearinghouse.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Clearinghouse.sln) was not found above the test's directory");
    }
}
