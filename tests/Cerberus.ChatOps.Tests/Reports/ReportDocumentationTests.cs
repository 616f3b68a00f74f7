namespace Cerberus.ChatOps.Tests.Reports;

public sealed class ReportDocumentationTests
{
    [Fact]
    public void Sample_InDocs_IsTheGoldenDocument()
    {
        // arrange
        var golden = File.ReadAllText(GoldenFile.PathOf("WithFailover.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var docs = File.ReadAllText(Path.Combine(GoldenFile.RepositoryRoot(), "docs", "post-incident-report.md"))
            .Replace("\r\n", "\n", StringComparison.Ordinal);

        // act
        var start = docs.IndexOf("<!-- sample:begin -->\n````markdown\n", StringComparison.Ordinal);
        var end = docs.IndexOf("````\n<!-- sample:end -->", StringComparison.Ordinal);

        // assert
        Assert.True(start >= 0 && end > start, "docs/post-incident-report.md has no sample block");
        var sample = docs[(start + "<!-- sample:begin -->\n````markdown\n".Length)..end];
        Assert.Equal(golden, sample);
    }
}
