using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Patroni;

internal sealed class PatroniOptionsValidator : OptionsValidator<PatroniOptions>
{
    protected override void Check(PatroniOptions options, List<string> problems)
    {
        for (var i = 0; i < options.Urls.Count; i++)
        {
            ConfigurationRules.AbsoluteHttpUrl(problems, $"{PatroniOptions.Section}:Urls:{i}", options.Urls[i], required: true);
        }

        ConfigurationRules.Positive(problems, $"{PatroniOptions.Section}:RequestTimeout", options.RequestTimeout);
        ConfigurationRules.AtLeast(problems, $"{PatroniOptions.Section}:FailoverTimeout", options.FailoverTimeout, TimeSpan.FromSeconds(30));
    }
}
