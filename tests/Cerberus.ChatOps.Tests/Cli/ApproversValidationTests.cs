using Cerberus.ChatOps.Incidents;

namespace Cerberus.ChatOps.Tests.Cli;

public sealed class ApproversValidationTests
{
    [Theory]
    [InlineData("U012ABCDEF", true)]
    [InlineData("W012ABCDEF", true)]
    [InlineData("S012ABCDEF", true)]
    [InlineData("u012abcdef", false)]
    [InlineData("C012ABCDEF", false)]
    [InlineData("cli:alice", true)]
    [InlineData("cli:a.b-c_d", true)]
    [InlineData("cli:", false)]
    [InlineData("cli:al ice", false)]
    [InlineData("alice@example.com", false)]
    public void Validate_Approver_AcceptsSlackUsersGroupsAndCliUsers(string approver, bool valid)
    {
        // arrange
        var options = new IncidentOptions { Approvers = [approver] };

        // act
        var result = new IncidentOptionsValidator().Validate(null, options);

        // assert
        Assert.Equal(valid, result.Succeeded);
    }
}
