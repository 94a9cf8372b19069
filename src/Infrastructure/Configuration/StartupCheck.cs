namespace Tvm.Infrastructure.Configuration;

/// <summary>
/// Configuration whose content can only be judged by loading it (a template, a certificate). Each check runs once
/// at start-up, after the options themselves validated; a failure stops TVM with a message naming the variable.
/// </summary>
/// <param name="Variable">The environment variable that points at what is loaded.</param>
/// <param name="Load">Loads it, throwing when it is unusable; the exception's message is shown.</param>
public sealed record StartupCheck(string Variable, Action<IServiceProvider> Load);
