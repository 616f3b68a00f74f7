using System.Reflection;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Incidents.Rendering;

public sealed class IncidentRepliesTests
{
    public static TheoryData<string> RefusalCases()
    {
        var data = new TheoryData<string>();
        foreach (var type in AllRefusalTypes())
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusalCases))]
    public void Text_EveryRefusalCase_IsWordedWithItsData(string typeName)
    {
        // arrange: the case built from its primary constructor with recognisable values
        var type = AllRefusalTypes().Single(t => t.FullName == typeName);
        var refusal = (Refusal)Build(type);

        // act
        var text = IncidentReplies.Text(refusal);

        // assert: words, and every string the case always carries reaches the reader
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.NotEqual(IncidentReplies.Text(DomainResult.Ok()), text);
        var nullability = new NullabilityInfoContext();
        foreach (var parameter in PrimaryConstructor(type).GetParameters()
                     .Where(p => p.ParameterType == typeof(string) && nullability.Create(p).ReadState == NullabilityState.NotNull))
        {
            Assert.Contains(Sample(parameter.Name!), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Text_SecondPersonNeeded_MentionsTheProposer()
    {
        // arrange
        var refusal = new Refusal.SecondPersonNeeded(Some.Approver);

        // act
        var text = IncidentReplies.Text(refusal);

        // assert
        Assert.Contains($"<@{Some.Approver}>", text, StringComparison.Ordinal);
        Assert.Contains("second person", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_NotAllowedForACommanderOperation_NamesTheCommanderAndTheRoster()
    {
        // arrange
        var refusal = new Refusal.NotAllowed("INC-1", IncidentOperation.Resolve, AccessRole.CommanderOrRoster, Some.Starter);

        // act
        var text = IncidentReplies.Text(refusal);

        // assert
        Assert.Equal($"Only the incident commander (<@{Some.Starter}>) or a member of the approver roster may resolve the incident in INC-1. Your attempt was recorded.", text);
    }

    [Fact]
    public void Text_ChangesNotUndone_ListsEachAndTheForceHint()
    {
        // arrange
        var refusal = new Refusal.ChangesNotUndone([new("act-1", RemediationKind.ScaleBackendDown, "deployment/api"), new("act-2", RemediationKind.Failover, "pg-1")]);

        // act
        var text = IncidentReplies.Text(refusal);

        // assert
        Assert.Equal("Not resolved: ScaleBackendDown on deployment/api (act-1) is not undone; Failover on pg-1 (act-2) is not undone. Undo it first, or `/dbincident resolve --force <root cause>` to resolve anyway.", text);
    }

    [Fact]
    public void Text_TargetWithMrkdwnControlCharacters_IsEscaped()
    {
        // arrange: a target comes from the cluster, not from us
        var refusal = new Refusal.CardWaiting("act-1", RemediationKind.Failover, "<!channel> pg&1");

        // act
        var text = IncidentReplies.Text(refusal);

        // assert
        Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt; pg&amp;1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Domain_TimelineText_CarriesNoSlackMarkup()
    {
        // arrange
        var incident = Incident.Declare("INC-1", "C1", "primary down", Some.Starter, Some.T0);

        // act
        incident.ChangeCommander(Some.Approver, Some.Starter, ApprovalPolicy.Default, Some.T0.AddMinutes(1));

        // assert: the report reads it as it is; Slack renders people from ids, not from the domain's text
        var entry = incident.Timeline.Single(e => e.Kind == TimelineKind.CommanderChanged);
        Assert.Equal($"incident commander @{Some.Starter} → @{Some.Approver}", entry.Text);
        Assert.DoesNotContain(incident.Timeline, e => e.Text.Contains("<@", StringComparison.Ordinal));
    }

    private static IEnumerable<Type> AllRefusalTypes() =>
        new[] { typeof(Refusal).Assembly, typeof(EngineRefusal).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(Refusal).IsAssignableFrom(t) && !t.IsAbstract)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    private static object Build(Type type)
    {
        var ctor = PrimaryConstructor(type);
        return ctor.Invoke([.. ctor.GetParameters().Select(p => Value(p))]);
    }

    /// <summary>The record's own constructor, not the compiler's copy constructor.</summary>
    private static ConstructorInfo PrimaryConstructor(Type type) =>
        type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Where(c => !(c.GetParameters() is [{ } only] && only.ParameterType == type))
            .OrderByDescending(c => c.GetParameters().Length)
            .First();

    private static object Value(ParameterInfo parameter) => parameter.ParameterType switch
    {
        var t when t == typeof(string) => Sample(parameter.Name!),
        var t when t == typeof(DateTimeOffset) || t == typeof(DateTimeOffset?) => Some.T0,
        var t when t == typeof(RemediationKind) || t == typeof(RemediationKind?) => RemediationKind.Failover,
        var t when t == typeof(IncidentOperation) => IncidentOperation.Propose,
        var t when t == typeof(IncidentState) => IncidentState.Resolved,
        var t when t == typeof(IncidentTrigger) => IncidentTrigger.Approve,
        var t when t == typeof(AccessRole) => AccessRole.CommanderOrRoster,
        var t when t == typeof(ActionStatus) => ActionStatus.Superseded,
        var t when t == typeof(IReadOnlyList<Refusal.PendingUndo>) => new[] { new Refusal.PendingUndo(Sample("ActionId"), RemediationKind.ScaleBackendDown, Sample("Target")) },
        var t => throw new InvalidOperationException($"no sample for {t} in {parameter.Member.DeclaringType}: add one here"),
    };

    private static string Sample(string name) => name switch
    {
        "Commander" or "Proposer" or "User" or "DecidedBy" => "U0SAMPLE" + name.ToUpperInvariant(),
        _ => "sample-" + name.ToLowerInvariant(),
    };
}
