using System.Globalization;
using System.Xml.Linq;
using Tvm.Infrastructure.Configuration;

namespace Tvm.Tests.Deployment;

/// <summary>The image runs as the manifests expect: same user, same port, the same build as the repository's.</summary>
public sealed class DockerfileTests
{
    private static readonly Dockerfile File = Dockerfile.Load();

    [Fact]
    public async Task The_image_runs_as_the_numeric_non_root_user_the_pods_use()
    {
        var user = File.FinalStage.Where(i => i.Keyword == "USER").Select(i => i.Arguments).LastOrDefault();
        user.Should().NotBeNull("the final stage should set USER");
        var uid = user!.Split(':')[0];
        long.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric).Should().BeTrue($"USER '{user}' should be numeric so that runAsNonRoot can be verified");
        numeric.Should().BeGreaterThan(0);

        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.Base);
        var pod = rendered.Deployment().Spec.Template.Spec;
        (rendered.Container().SecurityContext?.RunAsUser ?? pod.SecurityContext?.RunAsUser).Should().Be(numeric);
    }

    [Fact]
    public async Task The_image_listens_on_the_port_the_Deployment_declares()
    {
        var rendered = await RenderedManifests.RenderAsync(RenderedManifests.Base);
        var containerPort = rendered.ServingPort();

        var exposed = File.FinalStage.Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p.Split('/')[0], CultureInfo.InvariantCulture))
            .ToList();
        exposed.Should().Equal(containerPort, rendered.MetricsPort());
        File.FinalEnvironment().Should().Contain(EnvironmentNames.Port, containerPort.ToString(CultureInfo.InvariantCulture));
        rendered.EnvironmentValue(EnvironmentNames.Port).Should().Be(containerPort.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_image_is_the_chiseled_runtime_deps_image_running_the_self_contained_publish()
    {
        File.FinalStage[0].Arguments.Should().StartWith("mcr.microsoft.com/dotnet/runtime-deps:").And.Contain("chiseled");
        File.FinalEnvironment().Should().Contain("DOTNET_EnableDiagnostics", "0", "the runtime then needs no writable /tmp under a read-only root file system");

        var assemblyName = XDocument.Parse(RepositoryPaths.ReadAllText("Tvm.csproj")).Descendants("AssemblyName").Single().Value;
        var entrypoint = File.FinalStage.Single(i => i.Keyword == "ENTRYPOINT").Arguments;
        var command = JsonSerializer.Deserialize<string[]>(entrypoint);
        command.Should().NotBeNull("ENTRYPOINT should use the exec (JSON) form, so the process receives SIGTERM");
        command.Should().Equal([$"/app/{assemblyName}"], "the self-contained publish starts through its own executable");
    }

    [Fact]
    public void The_build_restores_before_copying_sources_and_publishes_like_the_repository()
    {
        var runs = File.Instructions.Select((instruction, index) => (instruction, index)).ToList();
        var restore = runs.Single(r => r.instruction.Keyword == "RUN" && r.instruction.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var publish = runs.Single(r => r.instruction.Keyword == "RUN" && r.instruction.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        var copiedBeforeRestore = runs.Where(r => r.instruction.Keyword == "COPY" && r.index < restore.index)
            .SelectMany(r => r.instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        restore.instruction.Arguments.Should().Contain("Tvm.csproj");
        copiedBeforeRestore.Should().Contain(["Directory.Build.props", "Directory.Packages.props", "Tvm.csproj"], "restore depends on them");
        copiedBeforeRestore.Should().NotContain(s => s.StartsWith("src", StringComparison.Ordinal), "sources come after restore so edits reuse the restore layer");
        publish.index.Should().BeGreaterThan(restore.index);
        publish.instruction.Arguments.Should().Contain("Tvm.csproj").And.Contain("--no-restore").And.Contain("Release").And.Contain("--os linux");

        // What makes that publish self-contained and composite ReadyToRun is the project's, for every publish for a runtime.
        var project = XDocument.Parse(RepositoryPaths.ReadAllText("Tvm.csproj"));
        foreach (var setting in new[] { "SelfContained", "PublishReadyToRun", "PublishReadyToRunComposite" })
        {
            var element = project.Descendants(setting).Should().ContainSingle(setting).Subject;
            element.Value.Should().Be("true", setting);
            ((string?)element.Attribute("Condition")).Should().Contain("RuntimeIdentifier", setting);
        }
    }

    [Fact]
    public void Every_file_the_trimmed_publish_reads_is_copied_into_the_build()
    {
        var project = XDocument.Parse(RepositoryPaths.ReadAllText("Tvm.csproj"));
        project.Descendants("PublishTrimmed").Single().Value.Should().Be("true");
        var copied = File.Instructions.Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .ToList();

        var descriptors = project.Descendants("TrimmerRootDescriptor").Select(item => item.Attribute("Include")!.Value).ToList();
        descriptors.Should().NotBeEmpty();
        foreach (var descriptor in descriptors)
        {
            System.IO.File.Exists(RepositoryPaths.Of(descriptor)).Should().BeTrue(descriptor);
            copied.Should().Contain(source => descriptor == source || descriptor.StartsWith(source.TrimEnd('/') + "/", StringComparison.Ordinal), $"{descriptor} must be in the image build");
        }
    }

    [Fact]
    public void The_image_runs_workstation_GC_with_a_gen0_budget_that_does_not_follow_the_host_and_conserves_memory_in_small_regions()
    {
        // The runtime configuration of the very build these tests run against.
        using var runtimeConfig = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Tvm.runtimeconfig.json")));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        properties.GetProperty("System.GC.Server").GetBoolean()
            .Should().BeFalse("a pod limited to half a core gets workstation GC anyway, and the benchmark should measure what pods run");
        properties.GetProperty("System.GC.ConserveMemory").ToString()
            .Should().Be("9", "after a flood of distinct tokens the collector should give back what the review cache's churn left behind");
        properties.GetProperty("System.GC.RegionSize").GetInt64()
            .Should().Be(1L << 20, "a heap of a few tens of megabytes should not keep whole 4 MiB regions per generation resident");

        File.FinalEnvironment().Should().ContainKey("DOTNET_GCgen0size", "the runtime reads the gen0 budget only from its environment");
        var budget = File.FinalEnvironment()["DOTNET_GCgen0size"];
        budget.Should().StartWith("0x", "the runtime reads DOTNET_GC values as hexadecimal");
        long.Parse(budget[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture).Should().BeInRange(4L << 20, 64L << 20,
            "large enough that a burst of cache hits does not collect constantly, small enough to stay well inside the pod's memory limit");
    }
}
