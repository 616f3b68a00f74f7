using Cerberus.ChatOps.Cli;
using Microsoft.Extensions.Configuration;

namespace Cerberus.ChatOps.Tests.Cli;

public sealed class CliActorTests
{
    [Fact]
    public void Resolve_OrdinaryUser_IsTheOsUser()
    {
        // arrange
        // act
        var actor = CliActor.Resolve("Alice", privileged: false, sudoUser: null, () => "1000");

        // assert
        Assert.Equal("cli:alice", actor);
    }

    [Fact]
    public void Resolve_SudoUserSetByAnUnprivilegedProcess_IsIgnored()
    {
        // arrange
        // act
        var actor = CliActor.Resolve("mallory", privileged: false, sudoUser: "alice", () => "1001");

        // assert
        Assert.Equal("cli:mallory", actor);
    }

    [Fact]
    public void Resolve_RootThroughSudo_IsTheSudoUser()
    {
        // arrange
        // act
        var actor = CliActor.Resolve("root", privileged: true, sudoUser: "bob", () => "0");

        // assert
        Assert.Equal("cli:bob", actor);
    }

    [Fact]
    public void Resolve_NoPasswdEntry_IsTheNumericUid()
    {
        // arrange
        // act
        var actor = CliActor.Resolve(string.Empty, privileged: false, sudoUser: null, () => "10001");

        // assert
        Assert.Equal("cli:uid-10001", actor);
    }

    [Fact]
    public void Resolve_ThisProcess_MatchesTheOperatingSystem()
    {
        // arrange
        var expected = Environment.IsPrivilegedProcess && Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudo && sudo != "root"
            ? CliActor.Of(sudo)
            : CliActor.Of(Environment.UserName);

        // act
        var actor = CliActor.Resolve();

        // assert
        Assert.Equal(expected, actor);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("", true)]
    [InlineData(null, false)]
    public void IsSelfAsserted_CliUserKey_AnyValueCounts(string? value, bool expected)
    {
        // arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [CliActor.UserKey] = value }).Build();

        // act
        var asserted = CliActor.IsSelfAsserted(configuration);

        // assert
        Assert.Equal(expected, asserted);
    }

    [Fact]
    public async Task RunAsync_CliUserOnTheCommandLine_RefusedWithOneLine()
    {
        // arrange
        using var output = new StringWriter();

        // act
        var code = await CliHost.RunAsync(["incident", "status", "--Cerberus:Cli:User=alice"], output, CancellationToken.None);

        // assert
        Assert.Equal(2, code);
        Assert.Equal(CliActor.SelfAssertedRefusal + Environment.NewLine, output.ToString());
    }
}
