using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>An <see cref="IOptionsMonitor{TOptions}"/> that always returns the same value.</summary>
public sealed class StaticOptionsMonitor<TOptions>(TOptions value) : IOptionsMonitor<TOptions>
{
    public TOptions CurrentValue => value;

    public TOptions Get(string? name) => value;

    public IDisposable? OnChange(Action<TOptions, string?> listener) => null;
}
