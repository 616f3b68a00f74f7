using System.Text;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.BlockKit;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class BlockKitTests
{
    [Fact]
    public void Header_LongerThan150_CutTo150WithVisibleMarker()
    {
        // act
        var text = Blocks.Header(new string('h', 400))["text"]!["text"]!.GetValue<string>();

        // assert
        Assert.Equal(BlockKitLimits.HeaderText, text.Length);
        Assert.EndsWith(SlackText.TruncationMarker, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_IsPlainText()
    {
        // act
        var header = Blocks.Header("INC-2026-0001");

        // assert
        Assert.Equal("plain_text", header["text"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Section_LongerThan3000_CutWithMarker()
    {
        // act
        var text = Blocks.Section(new string('s', 3500))["text"]!["text"]!.GetValue<string>();

        // assert
        Assert.Equal(BlockKitLimits.SectionText, text.Length);
        Assert.EndsWith(SlackText.TruncationMarker, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Section_AtTheLimit_Untouched()
    {
        // arrange
        var exact = new string('s', BlockKitLimits.SectionText);

        // act
        var text = Blocks.Section(exact)["text"]!["text"]!.GetValue<string>();

        // assert
        Assert.Equal(exact, text);
    }

    [Fact]
    public void Fields_MoreThan10_TenWithTheLastSayingHowManyAreHidden()
    {
        // act
        var fields = Blocks.Fields([.. Enumerable.Range(1, 14).Select(i => $"f{i}")])["fields"]!.AsArray();

        // assert
        Assert.Equal(BlockKitLimits.SectionFields, fields.Count);
        Assert.Equal("f9", fields[8]!["text"]!.GetValue<string>());
        Assert.Equal("… 5 more not shown", fields[9]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void Fields_EachLongerThan2000_Cut()
    {
        // act
        var field = Blocks.Fields([new string('f', 2500)])["fields"]![0]!["text"]!.GetValue<string>();

        // assert
        Assert.Equal(BlockKitLimits.FieldText, field.Length);
        Assert.EndsWith(SlackText.TruncationMarker, field, StringComparison.Ordinal);
    }

    [Fact]
    public void Button_TextLongerThan75_CutWithMarker()
    {
        // act
        var text = Blocks.Button(new string('b', 100), "approve", "v")["text"]!["text"]!.GetValue<string>();

        // assert
        Assert.Equal(BlockKitLimits.ButtonText, text.Length);
        Assert.EndsWith(SlackText.TruncationMarker, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Button_ConfirmDialog_AllFourTextsCutToSlacksLimits()
    {
        // arrange
        var confirm = new ConfirmDialog(new string('T', 150), new string('t', 400), new string('c', 40), new string('d', 40), ButtonStyle.Danger);

        // act
        var dialog = Blocks.Button("Approve", "approve", "v", ButtonStyle.Danger, confirm)["confirm"]!;

        // assert
        Assert.Equal(100, dialog["title"]!["text"]!.GetValue<string>().Length);
        Assert.Equal(300, dialog["text"]!["text"]!.GetValue<string>().Length);
        Assert.Equal(30, dialog["confirm"]!["text"]!.GetValue<string>().Length);
        Assert.Equal(30, dialog["deny"]!["text"]!.GetValue<string>().Length);
        Assert.Equal("danger", dialog["style"]!.GetValue<string>());
        Assert.All(new[] { "title", "text", "confirm", "deny" }, k => Assert.Equal("plain_text", dialog[k]!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void Button_ActionIdTooLong_ThrowsRatherThanRouteElsewhere()
    {
        // act & assert
        Assert.Throws<ArgumentException>(() => Blocks.Button("Approve", new string('a', 256), "v"));
    }

    [Fact]
    public void Actions_MoreThan25Elements_Capped()
    {
        // act
        var block = Blocks.Actions("a", [.. Enumerable.Range(0, 30).Select(i => Blocks.Button($"b{i}", $"act{i}", "v"))]);

        // assert
        Assert.Equal(BlockKitLimits.ActionsElements, block["elements"]!.AsArray().Count);
    }

    [Fact]
    public void Context_MoreThan10Elements_Capped()
    {
        // act
        var block = Blocks.Context([.. Enumerable.Range(0, 12).Select(i => $"c{i}")]);

        // assert
        Assert.Equal(BlockKitLimits.ContextElements, block["elements"]!.AsArray().Count);
    }

    [Fact]
    public void BuildBlocks_MoreThan50_FiftyWithAVisibleMarkerLast()
    {
        // arrange
        var builder = new MessageBuilder().AddRange(Enumerable.Range(0, 70).Select(i => Blocks.Section($"line {i}")));

        // act
        var blocks = builder.BuildBlocks();

        // assert
        Assert.Equal(BlockKitLimits.BlocksPerMessage, blocks.Count);
        Assert.Equal("context", blocks[49]!["type"]!.GetValue<string>());
        Assert.Equal("… 21 more blocks not shown", blocks[49]!["elements"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Build_EmptyFallback_StillHasFallbackText(string fallback)
    {
        // act
        var message = new MessageBuilder().Add(Blocks.Divider()).Build(fallback);

        // assert
        Assert.False(string.IsNullOrWhiteSpace(message.Text));
    }

    [Fact]
    public void Build_EverySample_HasFallbackTextAndAtMost50Blocks()
    {
        // act
        var messages = SampleMessages.All();

        // assert
        Assert.All(messages, m =>
        {
            Assert.False(string.IsNullOrWhiteSpace(m.Text));
            Assert.InRange(m.Blocks!.Count, 1, BlockKitLimits.BlocksPerMessage);
        });
    }

    [Theory]
    [InlineData("a & b", "a &amp; b")]
    [InlineData("<@U123> <!here>", "&lt;@U123&gt; &lt;!here&gt;")]
    [InlineData("x < y > z", "x &lt; y &gt; z")]
    [InlineData("\"quotes\" 'and' `ticks` *bold*", "\"quotes\" 'and' `ticks` *bold*")]
    [InlineData("&amp;", "&amp;amp;")]
    [InlineData(null, "")]
    public void Escape_OnlyAmpersandAndAngleBrackets(string? input, string expected)
    {
        // act
        var escaped = SlackText.Escape(input);

        // assert
        Assert.Equal(expected, escaped);
    }

    [Fact]
    public void Truncate_WouldSplitAnEntity_CutsBeforeIt()
    {
        // arrange
        var text = new string('a', 2980) + "&amp;&amp;&amp;&amp;&amp;&amp;&amp;";

        // act
        var cut = SlackText.Truncate(text, BlockKitLimits.SectionText);

        // assert
        Assert.True(cut.Length <= BlockKitLimits.SectionText);
        var body = cut[..^SlackText.TruncationMarker.Length];
        Assert.Matches("^a+(&amp;)*$", body);
    }

    [Fact]
    public void Truncate_WouldSplitASurrogatePair_KeepsThePairWhole()
    {
        // arrange
        var text = new string('a', 2986) + string.Concat(Enumerable.Repeat("🔴", 20));

        // act
        var cut = SlackText.Truncate(text, BlockKitLimits.SectionText);

        // assert
        var body = cut[..^SlackText.TruncationMarker.Length];
        Assert.False(char.IsHighSurrogate(body[^1]));
        Assert.True(Encoding.UTF8.GetByteCount(body) > 0 && !body.Contains('\uFFFD', StringComparison.Ordinal));
    }
}
