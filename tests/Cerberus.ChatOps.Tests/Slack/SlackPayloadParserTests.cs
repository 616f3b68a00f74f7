using System.Text.Json;
using System.Text.Json.Nodes;
using Cerberus.ChatOps.Slack.Inbound;
using Cerberus.ChatOps.Tests.Support.Slack;

namespace Cerberus.ChatOps.Tests.Slack;

public sealed class SlackPayloadParserTests
{
    [Fact]
    public void TryParseCommand_SlackFields_GivesCommandKeyedOnTriggerId()
    {
        // arrange
        var fields = new Dictionary<string, string>
        {
            ["team_id"] = "T1", ["channel_id"] = "C1", ["channel_name"] = "db", ["user_id"] = "U1", ["user_name"] = "ann",
            ["command"] = "/dbincident", ["text"] = "start replica lag", ["response_url"] = "https://hooks.slack.com/commands/x",
            ["trigger_id"] = "123.456.abc", ["api_app_id"] = "A1",
        };

        // act
        var ok = SlackPayloadParser.TryParseCommand(fields, out var command, out var key);

        // assert
        Assert.True(ok);
        Assert.Equal("cmd:123.456.abc", key);
        Assert.Equal(new SlashCommand("T1", "C1", "db", "U1", "ann", "/dbincident", "start replica lag", "https://hooks.slack.com/commands/x", "123.456.abc", "A1"), command);
    }

    [Theory]
    [InlineData("trigger_id")]
    [InlineData("user_id")]
    [InlineData("channel_id")]
    [InlineData("response_url")]
    [InlineData("command")]
    public void TryParseCommand_RequiredFieldMissing_Fails(string missing)
    {
        // arrange
        var fields = new Dictionary<string, string>
        {
            ["team_id"] = "T1", ["channel_id"] = "C1", ["user_id"] = "U1", ["command"] = "/dbincident",
            ["response_url"] = "https://hooks.slack.com/commands/x", ["trigger_id"] = "1.2.3",
        };
        fields.Remove(missing);

        // act
        var ok = SlackPayloadParser.TryParseCommand(fields, out _, out _);

        // assert
        Assert.False(ok);
    }

    [Fact]
    public void TryParseInteraction_BlockActions_KeyedOnUserAndActionTs()
    {
        // arrange
        var payload = SlackRequestSigner.BlockActionPayload("approve", "INC-2026-0001:a1", user: "U9", actionTs: "1700000001.000200", messageTs: "1700000000.000100");

        // act
        var ok = SlackPayloadParser.TryParseInteraction(Parse(payload), out var interaction, out var key);

        // assert
        Assert.True(ok);
        Assert.Equal("ia:U9:1700000001.000200", key);
        Assert.Equal("block_actions", interaction!.Type);
        Assert.Equal("C0INCIDENT", interaction.ChannelId);
        Assert.Equal("1700000000.000100", interaction.MessageTs);
        Assert.Equal(new BlockAction("approve", "approval", "INC-2026-0001:a1", "1700000001.000200"), Assert.Single(interaction.Actions));
        Assert.Equal("roadrunner", interaction.UserName);
        Assert.StartsWith("https://hooks.slack.com/actions/", interaction.ResponseUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseInteraction_ViewSubmission_KeyedOnViewIdAndHash()
    {
        // arrange
        var payload = new JsonObject
        {
            ["type"] = "view_submission",
            ["team"] = new JsonObject { ["id"] = "T1" },
            ["user"] = new JsonObject { ["id"] = "U1", ["username"] = "ann" },
            ["trigger_id"] = "1.2.3",
            ["view"] = new JsonObject
            {
                ["id"] = "V123",
                ["hash"] = "156772938.1827394",
                ["callback_id"] = "resolve",
                ["private_metadata"] = "INC-2026-0001",
                ["state"] = new JsonObject
                {
                    ["values"] = new JsonObject
                    {
                        ["cause"] = new JsonObject { ["cause_input"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = "disk full" } },
                        ["sev"] = new JsonObject { ["sev_select"] = new JsonObject { ["type"] = "static_select", ["selected_option"] = new JsonObject { ["value"] = "critical" } } },
                    },
                },
            },
        };

        // act
        var ok = SlackPayloadParser.TryParseInteraction(Parse(payload), out var interaction, out var key);

        // assert
        Assert.True(ok);
        Assert.Equal("view:V123:156772938.1827394", key);
        Assert.Equal("view_submission", interaction!.Type);
        Assert.Empty(interaction.Actions);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"type\":\"block_actions\"}")]
    [InlineData("{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":[{\"action_id\":\"a\"}]}")]
    [InlineData("{\"type\":\"view_submission\",\"user\":{\"id\":\"U1\"},\"view\":{}}")]
    public void TryParseInteraction_WrongShape_Fails(string json)
    {
        // act
        var ok = SlackPayloadParser.TryParseInteraction(JsonDocument.Parse(json).RootElement, out _, out _);

        // assert
        Assert.False(ok);
    }

    [Fact]
    public void TryParseEventKey_EventCallback_KeyedOnEventId()
    {
        // act
        var ok = SlackPayloadParser.TryParseEventKey(Parse(SlackRequestSigner.EventCallback("Ev0PV52K21")), out var key);

        // assert
        Assert.True(ok);
        Assert.Equal("ev:Ev0PV52K21", key);
    }

    [Fact]
    public void TryParseEventKey_AppRateLimited_ValidWithoutKey()
    {
        // act
        var ok = SlackPayloadParser.TryParseEventKey(JsonDocument.Parse("{\"type\":\"app_rate_limited\",\"team_id\":\"T1\"}").RootElement, out var key);

        // assert
        Assert.True(ok);
        Assert.Null(key);
    }

    [Fact]
    public void FieldsOf_SocketModeCommandPayload_GivesFormFields()
    {
        // arrange
        var payload = JsonDocument.Parse("{\"team_id\":\"T1\",\"trigger_id\":\"1.2\",\"is_enterprise_install\":false}").RootElement;

        // act
        var fields = SlackPayloadParser.FieldsOf(payload);

        // assert
        Assert.Equal("T1", fields["team_id"]);
        Assert.Equal("false", fields["is_enterprise_install"]);
    }

    private static JsonElement Parse(JsonObject node) => JsonDocument.Parse(node.ToJsonString()).RootElement;
}
