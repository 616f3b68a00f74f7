namespace Cerberus.ChatOps.IntegrationTests.Support.Kubernetes;

/// <summary>A synchronous <see cref="IProgress{T}"/> that keeps every line (Progress&lt;T&gt; posts asynchronously).</summary>
public sealed class ListProgress : IProgress<string>
{
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return _lines.ToList();
            }
        }
    }

    public void Report(string value)
    {
        lock (_lock)
        {
            _lines.Add(value);
        }
    }
}
