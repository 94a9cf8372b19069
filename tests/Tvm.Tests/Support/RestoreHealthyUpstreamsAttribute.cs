using System.Reflection;
using Xunit.v3;

namespace Tvm.Tests.Support;

/// <summary>
/// Puts the shared emulators back to healthy, fast and uncounted before every test, the one place that does:
/// a fault or count left by one test cannot reach whichever test the runner happens to schedule next.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class RestoreHealthyUpstreamsAttribute : BeforeAfterTestAttribute
{
    // The assembly fixture exists before any test runs, so the lookup completes synchronously.
    public override void Before(MethodInfo methodUnderTest, IXunitTest test) =>
        (TestContext.Current.GetFixture<Upstreams>().AsTask().GetAwaiter().GetResult() ?? throw new InvalidOperationException("The Upstreams assembly fixture is not registered.")).Reset();
}
