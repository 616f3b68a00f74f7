using Cerberus.ChatOps.Hosting.Logging;
using Microsoft.Extensions.Configuration;
using Serilog.Sinks.SystemConsole.Themes;

namespace Cerberus.ChatOps.Tests.Hosting.Logging;

/// <summary>Text for people on a terminal, JSON for machines when redirected, either forced by configuration.</summary>
public sealed class SerilogSetupTests
{
    [Theory]
    [InlineData(null, false, false)]
    [InlineData(null, true, true)]
    [InlineData("auto", false, false)]
    [InlineData("auto", true, true)]
    [InlineData("json", false, true)]
    [InlineData(" JSON ", false, true)]
    [InlineData("text", true, false)]
    [InlineData("Text", true, false)]
    [InlineData("xml", true, true)]
    public void UseJson_FormatAndRedirection_ChoosesTheFormat(string? format, bool redirected, bool expected)
    {
        // act
        var json = SerilogSetup.UseJson(format, redirected);

        // assert
        Assert.Equal(expected, json);
    }

    [Fact]
    public void UseJson_ConfigurationOverridesTheEnvironment_ConfiguredValueWins()
    {
        // arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Format"] = "json" }).Build();

        // act
        var json = SerilogSetup.UseJson(configuration);

        // assert
        Assert.True(json);
    }

    [Theory]
    [InlineData(null, false, false)]
    [InlineData("1", false, true)]
    [InlineData(null, true, true)]
    public void Theme_NoColorOrRedirected_PlainElseColoured(string? noColor, bool redirected, bool plain)
    {
        // act
        var theme = SerilogSetup.Theme(noColor, redirected);

        // assert
        Assert.Equal(plain, ReferenceEquals(theme, ConsoleTheme.None));
    }
}
