using k8s.Models;

namespace Tvm.Tests.Deployment;

/// <summary>TVM may create TokenReviews and nothing else: not even the SubjectAccessReviews system:auth-delegator would add.</summary>
public sealed class RbacTests
{
    public static TheoryData<string> Installations => TvmManifest.Installations;

    [Theory]
    [MemberData(nameof(Installations))]
    public async Task Every_role_bound_to_TVM_allows_only_creating_TokenReviews(string directory)
    {
        var rendered = await RenderedManifests.RenderAsync(directory);

        var bindings = rendered.All<V1ClusterRoleBinding>().Select(b => (b.Metadata.Name, b.RoleRef, b.Subjects))
            .Concat(rendered.All<V1RoleBinding>().Select(b => (b.Metadata.Name, b.RoleRef, b.Subjects)))
            .Where(b => (b.Subjects ?? []).Any(BindsTvm))
            .ToList();
        bindings.Should().NotBeEmpty("TVM needs permission to create TokenReviews");

        foreach (var (binding, roleRef, _) in bindings)
        {
            var rules = roleRef.Kind switch
            {
                "ClusterRole" => rendered.All<V1ClusterRole>().SingleOrDefault(r => r.Metadata.Name == roleRef.Name)?.Rules,
                "Role" => rendered.All<V1Role>().SingleOrDefault(r => r.Metadata.Name == roleRef.Name)?.Rules,
                _ => null,
            };
            rules.Should().NotBeNull($"binding {binding} should refer to a role the manifests define, not a built-in one such as {roleRef.Name}");
            rules.Should().NotBeEmpty();
            foreach (var rule in rules!)
            {
                rule.ApiGroups.Should().Equal(["authentication.k8s.io"], binding);
                rule.Resources.Should().Equal(["tokenreviews"], binding);
                rule.Verbs.Should().Equal(["create"], binding);
                rule.NonResourceURLs.Should().BeNullOrEmpty(binding);
                rule.ResourceNames.Should().BeNullOrEmpty(binding);
            }
        }
    }

    private static bool BindsTvm(Rbacv1Subject subject) =>
        subject.Kind == "ServiceAccount" && subject.Name == TvmManifest.Name && subject.NamespaceProperty == TvmManifest.Namespace;
}
