namespace Cerberus.ChatOps.Domain.Incidents;

/// <summary>
/// The answer of an intent method: <see cref="Done"/>, or a <see cref="Refusal"/> that names the case and carries the
/// data a person needs to read it. Invalid triggers (a stale button, a second approval, a wrong state) are values,
/// never exceptions. The domain writes no sentences for people: <c>Incidents/Rendering</c> words every case.
/// </summary>
public abstract record DomainResult
{
    private protected DomainResult()
    {
    }

    public abstract bool Succeeded { get; }

    public static DomainResult Ok() => Done.Instance;

    /// <summary>The change was made.</summary>
    public sealed record Done : DomainResult
    {
        public static readonly Done Instance = new();

        private Done()
        {
        }

        public override bool Succeeded => true;
    }
}
