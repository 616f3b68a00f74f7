using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Incidents.Commands;

namespace Cerberus.ChatOps.Tests.Incidents.Commands;

public sealed class ActionRequestParserTests
{
    [Theory]
    [InlineData("vacuum-freeze", null)]
    [InlineData("vacuum-freeze public.orders", "public.orders")]
    [InlineData("vacuum-freeze audit.logs,public.orders", "audit.logs,public.orders")]
    [InlineData("vacuum-freeze audit.logs public.orders", "audit.logs,public.orders")]
    public void Parse_VacuumFreeze_KindAndTables(string text, string? tables)
    {
        // arrange / act
        var (kind, arguments, problem) = ActionRequestParser.Parse(text);

        // assert
        Assert.Null(problem);
        Assert.Equal(RemediationKind.VacuumFreeze, kind);
        Assert.Equal(tables, arguments.GetValueOrDefault(ActionRequestParser.TablesArgument));
        Assert.Equal("vacuum-freeze", ActionRequestParser.CommandName(RemediationKind.VacuumFreeze));
    }
}
