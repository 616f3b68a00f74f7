using System.Text.Json.Nodes;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Incidents.Rendering;
using Cerberus.ChatOps.Tests.Reports;

namespace Cerberus.ChatOps.Tests.Incidents.Rendering;

public sealed class ReportSlackRendererTests
{
    [Fact]
    public void Summary_WithFailover_HasHeaderFieldsAndMentions()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithFailover();
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);

        // act
        var message = ReportSlackRenderer.Summary(report, "/incidents/INC-2026-0007/report.md");

        // assert
        var blocks = message.Blocks!;
        Assert.Equal("INC-2026-0007 resolved — post-incident summary", blocks[0]!["text"]!["text"]!.GetValue<string>());
        Assert.Contains("commander <@U0IC>", blocks[1]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var fields = ((JsonArray)blocks[2]!["fields"]!).Select(f => f!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(4, fields.Count);
        Assert.Equal("*Time to recovery*\n:white_check_mark: 1 h 07 min — RTO 4 h met, 2 h 53 min to spare", fields[0]);
        Assert.Equal("*Data loss*\n:white_check_mark: ≥ 20,643,840 B (19.7 MiB), ≈ 40 s of writes, at most 36,003,840 B (34.3 MiB) — RPO 15 min met", fields[1]);
        Assert.StartsWith("*Root cause*\npg1 hung on an I/O stall", fields[2], StringComparison.Ordinal);
        Assert.Equal("*Actions*\n1 taken, 0 not run", fields[3]);
        Assert.Equal("context", blocks[3]!["type"]!.GetValue<string>());
        var context = ((JsonArray)blocks[3]!["elements"]!).Select(e => e!["text"]!.GetValue<string>()).ToList();
        Assert.Equal("Detected 2026-03-14 02:03:00 UTC · declared 2026-03-14 02:10:00 UTC · mitigated 2026-03-14 02:17:00 UTC · resolved 2026-03-14 03:10:00 UTC", context[0]);
        Assert.EndsWith("also at `/incidents/INC-2026-0007/report.md`", context[1], StringComparison.Ordinal);
        Assert.StartsWith("INC-2026-0007 resolved — time to recovery 1 h 07 min (RTO 4 h met, 2 h 53 min to spare)", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_RtoMissedDrillWithHypothesis_MarksDrillMissAndHypothesis()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.RtoMissedWithHypothesis();
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);

        // act
        var message = ReportSlackRenderer.Summary(report);

        // assert
        var blocks = message.Blocks!;
        Assert.Equal("[DRILL] INC-2026-0020 resolved — post-incident summary", blocks[0]!["text"]!["text"]!.GetValue<string>());
        var fields = ((JsonArray)blocks[2]!["fields"]!).Select(f => f!["text"]!.GetValue<string>()).ToList();
        Assert.Equal("*Time to recovery*\n:x: 5 h 20 min — RTO 4 h missed by 1 h 20 min", fields[0]);
        Assert.EndsWith(RootCauseFinding.HypothesisMarker, fields[2], StringComparison.Ordinal);
        Assert.Equal("*Actions*\n2 taken, 1 not run", fields[3]);
    }

    [Fact]
    public void Summary_RootCauseWithMarkup_IsEscaped()
    {
        // arrange
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var incident = Incident.Declare("INC-2026-0100", "C1", "outage <!channel>", "U0ONCALL", at);
        ReportScenarios.Ok(incident.Resolve("U0ONCALL", "a <script> & <!here> in the root cause", false, ReportScenarios.Team, at.AddMinutes(3)));
        var report = PostIncidentReportBuilder.Build(incident, null, at.AddMinutes(4));

        // act
        var blocks = ReportSlackRenderer.Summary(report).Blocks!;

        // assert
        var title = blocks[1]!["text"]!["text"]!.GetValue<string>();
        var rootCause = ((JsonArray)blocks[2]!["fields"]!)[2]!["text"]!.GetValue<string>();
        Assert.StartsWith("*outage &lt;!channel&gt;*", title, StringComparison.Ordinal);
        Assert.Equal("*Root cause*\na &lt;script&gt; &amp; &lt;!here&gt; in the root cause", rootCause);
    }

    [Fact]
    public void Document_Report_IsAMarkdownFileForTheUpload()
    {
        // arrange
        var (incident, integrity, generatedAt) = ReportScenarios.WithoutFailover();
        var report = PostIncidentReportBuilder.Build(incident, integrity, generatedAt);
        var markdown = report.ToMarkdown();

        // act
        var message = ReportSlackRenderer.Document(report, markdown);

        // assert
        Assert.NotNull(message.File);
        Assert.Equal("INC-2026-0012-post-incident-report.md", message.File.FileName);
        Assert.Equal("INC-2026-0012 post-incident report", message.File.Title);
        Assert.Equal(markdown, message.File.Content);
    }
}
