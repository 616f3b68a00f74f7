using Cerberus.ChatOps.Alerts;

namespace Cerberus.ChatOps.Tests.Alerts;

public sealed class AlertmanagerParserTests
{
    [Fact]
    public void Parse_FiringNotification_AlertsWithNameSummaryStartAndLink()
    {
        // arrange
        var body = AlertmanagerPayloads.Bytes(AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1")));

        // act
        var (batch, problem) = AlertmanagerParser.Parse(body);

        // assert
        Assert.Null(problem);
        Assert.NotNull(batch);
        Assert.Equal(AlertmanagerPayloads.GroupKey, batch.GroupKey);
        Assert.Equal("firing", batch.Status);
        Assert.Equal("cerberus", batch.Receiver);
        Assert.Equal("PostgresPrimaryDown: the primary does not answer", batch.Summary);
        var alert = Assert.Single(batch.Alerts);
        Assert.Equal(("f1", "PostgresPrimaryDown", "firing", "the primary does not answer"), (alert.Fingerprint, alert.Name, alert.Status, alert.Summary));
        Assert.Equal(AlertmanagerPayloads.StartsAt, alert.StartsAt);
        Assert.Null(alert.EndsAt);
        Assert.Equal("http://prometheus:9090/graph?g0.expr=pg_up+%3D%3D+0", alert.GeneratorUrl);
        Assert.True(batch.AnyFiring);
    }

    [Fact]
    public void Parse_GroupedNotificationWithOneResolved_EachAlertWithItsOwnStatus()
    {
        // arrange
        var body = AlertmanagerPayloads.Bytes(AlertmanagerPayloads.Notification("firing",
            AlertmanagerPayloads.Alert("f1"), AlertmanagerPayloads.Alert("f2", "resolved", endsAt: "2026-12-04T03:10:00Z")));

        // act
        var (batch, _) = AlertmanagerParser.Parse(body);

        // assert
        Assert.Equal(["firing", "resolved"], batch!.Alerts.Select(a => a.Status));
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 3, 10, 0, TimeSpan.Zero), batch.Alerts[1].EndsAt);
    }

    [Fact]
    public void Parse_SameNotificationTwice_SameDedupeKeyAndAStateChangeMakesANewOne()
    {
        // arrange
        var firing = AlertmanagerPayloads.Bytes(AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1")));
        var resolved = AlertmanagerPayloads.Bytes(AlertmanagerPayloads.Notification("resolved", AlertmanagerPayloads.Alert("f1", "resolved", endsAt: "2026-12-04T03:10:00Z")));

        // act
        var first = AlertmanagerParser.Parse(firing).Batch!.DedupeKey;
        var again = AlertmanagerParser.Parse(firing).Batch!.DedupeKey;
        var later = AlertmanagerParser.Parse(resolved).Batch!.DedupeKey;

        // assert
        Assert.Equal(first, again);
        Assert.NotEqual(first, later);
        Assert.StartsWith("alertmanager/", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "The body is not an Alertmanager webhook notification:")]
    [InlineData("null", "The body is empty (null)")]
    [InlineData("{\"version\":\"3\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "version must be \"4\"")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}", "groupKey is required.")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"burning\",\"alerts\":[]}", "status must be \"firing\" or \"resolved\", not \"burning\".")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "alerts must hold at least one alert.")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{}}]}", "alerts[0].startsAt is required.")]
    [InlineData("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"startsAt\":\"yesterday\"}]}", "The body is not an Alertmanager webhook notification:")]
    public void Parse_Malformed_OneSentenceSaysWhat(string json, string expected)
    {
        // act
        var (batch, problem) = AlertmanagerParser.Parse(AlertmanagerPayloads.Bytes(json));

        // assert
        Assert.Null(batch);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SecretInAnAnnotationAndAJavascriptLink_RedactedAndLinkDropped()
    {
        // arrange
        var json = AlertmanagerPayloads.Notification("firing", AlertmanagerPayloads.Alert("f1", summary: "login failed for postgres://app:Sup3rSecret@db/app"))
            .Replace("http://prometheus:9090/graph?g0.expr=pg_up+%3D%3D+0", "javascript:alert(1)", StringComparison.Ordinal);

        // act
        var (batch, _) = AlertmanagerParser.Parse(AlertmanagerPayloads.Bytes(json));

        // assert
        Assert.DoesNotContain("Sup3rSecret", batch!.Alerts[0].Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", batch.Summary, StringComparison.Ordinal);
        Assert.Null(batch.Alerts[0].GeneratorUrl);
    }
}
