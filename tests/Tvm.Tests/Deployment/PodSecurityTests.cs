using k8s.Models;

namespace Tvm.Tests.Deployment;

/// <summary>Every pod the repository ships, TVM's and the example's, meets the restricted Pod Security Standard and more.</summary>
public sealed class PodSecurityTests
{
    public static TheoryData<string> AllKustomizations => TvmManifest.AllKustomizations;

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public async Task Every_container_runs_locked_down(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var pods = rendered.PodSpecs();
        pods.Should().NotBeEmpty($"{directory} should contain at least one workload");

        foreach (var (owner, _, spec, _) in pods)
        {
            var containers = (spec.InitContainers ?? []).Concat(spec.Containers).ToList();
            containers.Should().NotBeEmpty();
            foreach (var container in containers)
            {
                var where = $"{owner}, container {container.Name}";
                var pod = spec.SecurityContext;
                var own = container.SecurityContext;
                own.Should().NotBeNull(where);

                (own!.RunAsNonRoot ?? pod?.RunAsNonRoot).Should().BeTrue($"{where} should set runAsNonRoot");
                var user = own.RunAsUser ?? pod?.RunAsUser;
                user.Should().NotBeNull($"{where} should name a numeric user, so the kubelet can check it is not root");
                user.Should().BeGreaterThan(0, where);
                own.AllowPrivilegeEscalation.Should().BeFalse($"{where} should forbid privilege escalation");
                own.ReadOnlyRootFilesystem.Should().BeTrue($"{where} should have a read-only root file system");
                own.Privileged.Should().NotBe(true, where);
                own.Capabilities.Should().NotBeNull($"{where} should drop all capabilities");
                own.Capabilities!.Drop.Should().Contain("ALL", $"{where} should drop all capabilities");
                (own.Capabilities.Add ?? []).Should().BeEmpty(where);
                (own.SeccompProfile?.Type ?? pod?.SeccompProfile?.Type).Should().Be("RuntimeDefault", $"{where} should use the runtime's seccomp profile");
            }

            spec.HostNetwork.Should().NotBe(true, owner);
            spec.HostPID.Should().NotBe(true, owner);
            spec.HostIPC.Should().NotBe(true, owner);
            (spec.Volumes ?? []).Should().NotContain(v => v.HostPath != null, $"{owner} should not mount host paths");
        }
    }

    [Theory]
    [MemberData(nameof(AllKustomizations))]
    public async Task Every_namespace_a_workload_runs_in_enforces_the_restricted_standard(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);
        var namespaces = rendered.All<V1Namespace>().ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);
        var pods = rendered.PodSpecs();
        pods.Should().NotBeEmpty();

        foreach (var (owner, ns, _, _) in pods)
        {
            ns.Should().NotBeNullOrEmpty($"{owner} should name its namespace");
            namespaces.Should().ContainKey(ns!, $"{directory} should create the namespace {owner} runs in, with its Pod Security labels");
            namespaces[ns].Metadata.Labels.Should().Contain("pod-security.kubernetes.io/enforce", "restricted");
        }
    }
}
