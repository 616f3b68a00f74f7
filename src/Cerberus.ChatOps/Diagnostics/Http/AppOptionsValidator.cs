using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Diagnostics.Http;

internal sealed class AppOptionsValidator : OptionsValidator<AppOptions>
{
    protected override void Check(AppOptions options, List<string> problems)
    {
        ConfigurationRules.AbsoluteHttpUrl(problems, $"{AppOptions.Section}:HealthUrl", options.HealthUrl);
        ConfigurationRules.Positive(problems, $"{AppOptions.Section}:Timeout", options.Timeout);
        ConfigurationRules.Positive(problems, $"{AppOptions.Section}:SlowThreshold", options.SlowThreshold);
    }
}
