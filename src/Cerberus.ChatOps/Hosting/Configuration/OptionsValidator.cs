using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Hosting.Configuration;

/// <summary>Base for options validators that report one line per problem, each naming its key.</summary>
internal abstract class OptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = new List<string>();
        Check(options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    protected abstract void Check(TOptions options, List<string> problems);
}
