namespace Cerberus.ChatOps.Tests.Support;

/// <summary>Collects progress lines synchronously (Progress&lt;T&gt; would post them later), optionally reacting to each.</summary>
public sealed class ListProgress(Action<string>? onReport = null) : IProgress<string>
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void Report(string value)
    {
        lock (_lines)
        {
            _lines.Add(value);
        }

        onReport?.Invoke(value);
    }
}
