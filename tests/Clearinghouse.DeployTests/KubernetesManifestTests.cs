using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using k8s;
using k8s.Models;

namespace Clearinghouse.DeployTests;

/// <summary>
/// The kustomize base and overlays in deploy/k8s, offline: each overlay's rendering (by <c>kubectl kustomize</c>, committed
/// in deploy/k8s/rendered by deploy/k8s/render.sh and checked to be current wherever kubectl is installed), then (1)
/// every rendered object read strictly (unknown fields and wrong types refused) into the official C# client's models,
/// which are generated from the Kubernetes OpenAPI schema; (2) every rendered object validated against the JSON schema
/// of its kind (required fields, types, enums, formats) by kubernetes-models (node deploy/k8s/validate/validate.js);
/// (3) yamllint on the sources and on the rendered output; (4) what each deployment promises, checked on the objects.
/// scripts/test.sh installs node, the npm packages and yamllint.
/// </summary>
public class KubernetesManifestTests(ITestOutputHelper log)
{
    private static readonly string Directory = Path.Combine(RepositoryRoot(), "deploy", "k8s");

    private static readonly ConcurrentDictionary<string, Lazy<string>> RenderedByOverlay = new();

    public static TheoryData<string> Overlays => ["azure", "redis"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_rendered_object_reads_strictly_into_the_Kubernetes_API_models(string overlay)
    {
        var objects = KubernetesYaml.LoadAllFromString(Rendered(overlay), strict: true);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject>(o));
        string[] shared = ["ConfigMap", "Deployment", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"];
        Assert.Equal(overlay == "redis" ? [.. shared, "StatefulSet"] : shared, Objects(overlay).Select(o => o.Kind).Distinct().Order());
        Assert.All(Objects(overlay).Where(o => o.Kind != "Namespace"), o => Assert.Equal("clearinghouse", ((IMetadata<V1ObjectMeta>)o).Metadata.NamespaceProperty));
    }

    [Fact]
    public void A_misspelt_field_is_refused_by_the_strict_reading()
    {
        var silo = File.ReadAllText(Path.Combine(Directory, "base", "30-silo.yaml")).Replace("readinessProbe:", "readinesProbe:", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(silo, strict: true));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_rendered_object_is_valid_against_the_JSON_schema_of_its_kind(string overlay)
    {
        var rendered = System.IO.Directory.CreateTempSubdirectory($"clearinghouse-k8s-{overlay}-");
        try
        {
            File.WriteAllText(Path.Combine(rendered.FullName, $"{overlay}.yaml"), Rendered(overlay));
            var (exitCode, output) = Run("node", Path.Combine(Directory, "validate", "validate.js"), rendered.FullName);
            Assert.True(exitCode == 0, output);
            Assert.Contains($"{Objects(overlay).Count} objects valid, 0 invalid", output);
        }
        finally
        {
            rendered.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_sources_pass_yamllint()
    {
        var (exitCode, output) = Run("yamllint", ["-s", "-c", Path.Combine(Directory, ".yamllint.yaml"), .. SourceFiles()]);
        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_rendered_manifests_pass_yamllint(string overlay)
    {
        var file = Path.Combine(Path.GetTempPath(), $"clearinghouse-k8s-{overlay}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, Rendered(overlay));
        try
        {
            var (exitCode, output) = Run("yamllint", "-s", "-c", Path.Combine(Directory, ".yamllint-rendered.yaml"), file);
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Silos_advertise_the_pod_IP_are_probed_drain_in_time_and_roll_without_dropping_below_the_count(string overlay)
    {
        var silo = Single<V1Deployment>(overlay, "clearinghouse-silo");
        var pod = silo.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var advertised = Assert.Single(container.Env, e => e.Name == "Clearinghouse__Cluster__AdvertisedAddress");
        Assert.Equal("status.podIP", advertised.ValueFrom.FieldRef.FieldPath);

        Assert.NotNull(container.StartupProbe);
        Assert.NotNull(container.ReadinessProbe);
        Assert.NotNull(container.LivenessProbe);
        var managementPort = int.Parse(Config(overlay)["Clearinghouse__Management__Port"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(managementPort, container.Ports.Single(p => p.Name == "management").ContainerPort);

        var shutdown = TimeSpan.Parse(Config(overlay)["Clearinghouse__Cluster__ShutdownTimeout"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pod.TerminationGracePeriodSeconds > shutdown.TotalSeconds);

        Assert.True(container.Resources.Requests.ContainsKey("cpu"));
        Assert.False(container.Resources.Limits?.ContainsKey("cpu") ?? false);
        Assert.Equal("0", silo.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);

        var budget = Single<V1PodDisruptionBudget>(overlay, "clearinghouse-silo");
        Assert.Equal(silo.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        Assert.Contains(Config(overlay), setting => setting.Key == "Kestrel__Endpoints__Grpc__Url" && setting.Value.StartsWith("https://", StringComparison.Ordinal));

        var siloLabels = silo.Spec.Selector.MatchLabels;
        var toSilos = Single<V1NetworkPolicy>(overlay, "clearinghouse-silo");
        var siloToSilo = Assert.Single(toSilos.Spec.Ingress, rule => rule.Ports.Any(p => p.Port.Value == "11111"));
        Assert.Equal(siloLabels, Assert.Single(siloToSilo.FromProperty).PodSelector.MatchLabels);
        Assert.Contains(siloToSilo.Ports, p => p.Port.Value == "30000");
    }

    [Fact]
    public void The_redis_overlay_keeps_an_append_only_file_on_a_persistent_volume_and_only_silos_reach_it()
    {
        const string Overlay = "redis";
        Assert.Equal("Redis", Config(Overlay)["Clearinghouse__Storage"]);
        Assert.Contains("Clearinghouse__Redis__ConnectionString", Single<V1Secret>(Overlay, "clearinghouse-secrets").StringData.Keys);

        var redis = Single<V1StatefulSet>(Overlay, "clearinghouse-redis");
        var args = string.Join(' ', redis.Spec.Template.Spec.Containers.Single().Args);
        Assert.Contains("--appendonly yes", args);
        Assert.Contains("--appendfsync always", args);
        var claim = Assert.Single(redis.Spec.VolumeClaimTemplates);
        Assert.Contains(redis.Spec.Template.Spec.Containers.Single().VolumeMounts, m => m.Name == claim.Metadata.Name && m.MountPath == "/data");

        var siloLabels = Single<V1Deployment>(Overlay, "clearinghouse-silo").Spec.Selector.MatchLabels;
        var toRedis = Single<V1NetworkPolicy>(Overlay, "clearinghouse-redis");
        Assert.Equal(redis.Spec.Selector.MatchLabels, toRedis.Spec.PodSelector.MatchLabels);
        Assert.Equal(siloLabels, Assert.Single(Assert.Single(toRedis.Spec.Ingress).FromProperty).PodSelector.MatchLabels);
    }

    [Fact]
    public void The_azure_overlay_reaches_Azure_Storage_by_the_pods_managed_identity_with_no_key_and_no_Redis()
    {
        const string Overlay = "azure";
        var config = Config(Overlay);
        Assert.Equal("AzureStorage", config["Clearinghouse__Storage"]);
        Assert.StartsWith("https://", config["Clearinghouse__AzureStorage__TableServiceUri"], StringComparison.Ordinal);
        Assert.StartsWith("https://", config["Clearinghouse__AzureStorage__BlobServiceUri"], StringComparison.Ordinal);
        var secrets = Single<V1Secret>(Overlay, "clearinghouse-secrets").StringData.Keys;
        Assert.DoesNotContain(config.Keys.Concat(secrets), key => key.Contains("ConnectionString", StringComparison.Ordinal) || key.Contains("Redis", StringComparison.Ordinal));
        Assert.DoesNotContain(Objects(Overlay), o => o.Kind == "StatefulSet");

        // AKS workload identity: the service account names the identity, and the pods ask for its token.
        var account = Single<V1ServiceAccount>(Overlay, "clearinghouse-silo");
        Assert.True(account.Metadata.Annotations.ContainsKey("azure.workload.identity/client-id"));
        var silo = Single<V1Deployment>(Overlay, "clearinghouse-silo");
        Assert.Equal(account.Metadata.Name, silo.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal("true", silo.Spec.Template.Metadata.Labels["azure.workload.identity/use"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_committed_rendering_is_what_kubectl_kustomize_renders_from_the_sources(string overlay)
    {
        // kubectl is not a Debian package here (Debian's kubernetes-client 1.20 cannot render these overlays): where it
        // is missing, the committed rendering is still validated by every other test, but its freshness is not.
        if (!IsInstalled("kubectl"))
        {
            log.WriteLine("kubectl is not installed: the committed rendering's freshness was not checked on this machine");
            return;
        }

        var (exitCode, rendered, errors) = RunSplit("kubectl", "kustomize", Path.Combine(Directory, "overlays", overlay));
        Assert.True(exitCode == 0 && errors.Length == 0, $"kubectl kustomize overlays/{overlay} (exit {exitCode}): {errors}");
        Assert.True(rendered == Rendered(overlay), $"deploy/k8s/rendered/{overlay}.yaml is not what the sources render: run deploy/k8s/render.sh");
    }

    /// <summary>An overlay's committed rendering (deploy/k8s/render.sh writes it with kubectl kustomize).</summary>
    private static string Rendered(string overlay) =>
        RenderedByOverlay.GetOrAdd(overlay, name => new Lazy<string>(() => File.ReadAllText(Path.Combine(Directory, "rendered", $"{name}.yaml")))).Value;

    private static bool IsInstalled(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, program)));

    private static List<IKubernetesObject> Objects(string overlay) =>
        KubernetesYaml.LoadAllFromString(Rendered(overlay), strict: true).Cast<IKubernetesObject>().ToList();

    private static T Single<T>(string overlay, string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        Objects(overlay).OfType<T>().Single(o => o.Metadata.Name == name);

    private static IDictionary<string, string> Config(string overlay) => Single<V1ConfigMap>(overlay, "clearinghouse-config").Data;

    /// <summary>The base's and the overlays' files (the validator's own folder aside).</summary>
    private static IEnumerable<string> SourceFiles() =>
        new[] { "base", Path.Combine("overlays", "azure"), Path.Combine("overlays", "redis") }
            .SelectMany(folder => System.IO.Directory.GetFiles(Path.Combine(Directory, folder), "*.yaml"))
            .Order();

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var (exitCode, output, errors) = RunSplit(program, arguments);
        return (exitCode, output + errors);
    }

    private static (int ExitCode, string Output, string Errors) RunSplit(string program, params string[] arguments)
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
            throw new InvalidOperationException($"{program} is not installed: run ./scripts/test.sh, which installs node, the npm packages of deploy/k8s/validate and yamllint.");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.Result, errors.Result);
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
