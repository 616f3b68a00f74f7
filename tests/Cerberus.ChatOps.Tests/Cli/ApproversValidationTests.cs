using Cerberus.ChatOps.Incidents;

namespace Cerberus.ChatOps.Tests.Cli;

public sealed class ApproversValidationTests
{
    [Theory]
    [InlineData("U012ABCDEF", true)]
    [InlineData("cli:alice", true)]
    [InlineData("cli:a.b-c_d", true)]
    [InlineData("cli:", false)]
    [InlineData("cli:al ice", false)]
    [InlineData("alice@example.com", false)]
    public void Validate_Approver_AcceptsSlackIdsAndCliUsers(string approver, bool valid)
    {
        // arrange
        var options = new IncidentOptions { Approvers = [approver] };

        // act
        var result = new IncidentOptionsValidator().Validate(null, options);

        // assert
        Assert.Equal(valid, result.Succeeded);
    }
}
