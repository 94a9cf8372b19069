namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>Arguments of a filter, test or method call, bound to parameters by Python's rules.</summary>
internal sealed class CallArguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
{
    /// <summary>Marks a parameter without a default.</summary>
    public static readonly object Required = new();

    public static readonly CallArguments Empty = new([], new Dictionary<string, object?>());

    public IReadOnlyList<object?> Positional { get; } = positional;

    public IReadOnlyDictionary<string, object?> Named { get; } = named;

    /// <summary>Values for <paramref name="parameters"/> in order; throws Python's TypeError for a call that does not fit.</summary>
    public object?[] Bind(string function, params (string Name, object? Default)[] parameters) => Bind(function, true, parameters);

    public object?[] BindPositional(string function, params (string Name, object? Default)[] parameters) => Bind(function, false, parameters);

    private object?[] Bind(string function, bool keywords, (string Name, object? Default)[] parameters)
    {
        if (Positional.Count > parameters.Length)
        {
            throw new JinjaRuntimeException(
                $"TypeError: {function}() takes at most {parameters.Length} argument{(parameters.Length == 1 ? "" : "s")} ({Positional.Count} given)");
        }

        if (!keywords && Named.Count > 0)
        {
            throw new JinjaRuntimeException($"TypeError: {function}() takes no keyword arguments");
        }

        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var (name, fallback) = parameters[i];
            var fromPosition = i < Positional.Count;
            var fromName = Named.TryGetValue(name, out var byName);
            if (fromPosition && fromName)
            {
                throw new JinjaRuntimeException($"TypeError: {function}() got multiple values for argument '{name}'");
            }

            values[i] = fromPosition ? Positional[i] : fromName ? byName : fallback;
            if (values[i] == Required)
            {
                throw new JinjaRuntimeException($"TypeError: {function}() missing required argument '{name}'");
            }
        }

        var unexpected = Named.Keys.FirstOrDefault(k => !parameters.Any(p => p.Name == k));
        if (unexpected is not null)
        {
            throw new JinjaRuntimeException($"TypeError: {function}() got an unexpected keyword argument '{unexpected}'");
        }

        return values;
    }
}
