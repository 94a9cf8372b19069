namespace Tvm.Tests.Support;

/// <summary>Sets an environment variable for one test and puts the old value back.</summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentScope(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
