using System.Globalization;
using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.SystemTests.Deployment;

public sealed partial class DockerfileTests
{
    private static readonly IReadOnlyList<DockerStage> Stages = Dockerfile.Parse(File.ReadAllText(RepositoryPaths.Combine("Dockerfile")));

    [Fact]
    public void Parse_Dockerfile_IsAnSdkBuildStageThenAnAspNetRuntimeStage()
    {
        // arrange
        var images = Stages.Select(s => s.Image).ToList();

        // act
        var build = Stages[0];
        var runtime = Stages[^1];

        // assert
        Assert.Equal(2, Stages.Count);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", build.Image);
        Assert.Equal("build", build.Name);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", runtime.Image);
        Assert.DoesNotContain(images, i => i.EndsWith(":latest", StringComparison.Ordinal) || !i.Contains(':', StringComparison.Ordinal));
    }

    [Fact]
    public void FinalStage_User_IsANumericNonRootUidSetAfterTheLastFrom()
    {
        // arrange
        var runtime = Stages[^1];

        // act
        var users = runtime.ArgumentsOf("USER").ToList();
        var lastUserIndex = runtime.Instructions.ToList().FindLastIndex(i => i.Keyword == "USER");
        var entrypointIndex = runtime.Instructions.ToList().FindIndex(i => i.Keyword is "ENTRYPOINT" or "CMD");

        // assert
        Assert.NotEmpty(users);
        var uid = users[^1].Split(':')[0];
        Assert.True(int.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out var number), $"USER {users[^1]} is not numeric (Kubernetes runAsNonRoot needs a number)");
        Assert.NotEqual(0, number);
        Assert.True(entrypointIndex > lastUserIndex, "the ENTRYPOINT must come after the USER switch");
        Assert.DoesNotContain(runtime.Instructions.Skip(lastUserIndex + 1), i => i.Keyword == "RUN");
    }

    [Fact]
    public void AllStages_EnvAndArg_CarryNoSecrets()
    {
        // arrange
        var variables = Stages.SelectMany(s => s.Variables()).ToList();

        // act
        var suspicious = variables.Where(v => SecretName().IsMatch(v.Key) || SecretValue().IsMatch(v.Value)).Select(v => v.Key).ToList();

        // assert
        Assert.NotEmpty(variables);
        Assert.True(suspicious.Count == 0, "secret-looking ENV/ARG in the Dockerfile: " + string.Join(", ", suspicious));
    }

    [Fact]
    public void FinalStage_Copy_TakesExactlyThePublishOutputOfTheBuildStage()
    {
        // arrange
        var publish = Stages[0].ArgumentsOf("RUN").Single(r => r.StartsWith("dotnet publish ", StringComparison.Ordinal));
        var output = OutputOption().Match(publish).Groups["path"].Value;

        // act
        var copies = Stages[^1].ArgumentsOf("COPY").ToList();

        // assert
        Assert.Contains("src/Cerberus.ChatOps/Cerberus.ChatOps.csproj", publish, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish, StringComparison.Ordinal);
        Assert.Equal("/app/publish", output);
        Assert.Equal([$"--from=build {output} ."], copies);
    }

    [Fact]
    public void BuildStage_Restore_RunsOnProjectFilesCopiedBeforeTheSources()
    {
        // arrange
        var build = Stages[0].Instructions.ToList();
        var restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var sources = build.FindIndex(i => i.Keyword == "COPY" && i.Arguments.StartsWith("src/ ", StringComparison.Ordinal));
        var projects = Directory.GetFiles(RepositoryPaths.Combine("src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(RepositoryPaths.Root, p).Replace('\\', '/'))
            .ToList();

        // act
        var copiedBeforeRestore = string.Join('\n', build.Take(restore).Where(i => i.Keyword == "COPY").Select(i => i.Arguments));

        // assert
        Assert.True(restore >= 0 && sources > restore, "dotnet restore must run before the sources are copied (layer caching)");
        Assert.NotEmpty(projects);
        foreach (var file in projects.Append("Directory.Packages.props").Append("Directory.Build.props").Append("global.json"))
        {
            Assert.Contains(file, copiedBeforeRestore, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FinalStage_Settings_Listen8080AndKeepTheStoreUnderData()
    {
        // arrange
        var runtime = Stages[^1];

        // act
        var env = runtime.Variables().ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

        // assert
        Assert.Equal("http://+:8080", env["ASPNETCORE_URLS"]);
        Assert.Equal("Data Source=/data/cerberus.db", env["Cerberus__Store__ConnectionString"]);
        Assert.Equal("/tmp", env["TMPDIR"]);
        Assert.Contains("8080", runtime.ArgumentsOf("EXPOSE"));
        Assert.Contains(runtime.ArgumentsOf("RUN"), r => r.Contains("chown 10001:10001 /data", StringComparison.Ordinal));
        Assert.Equal("[\"dotnet\", \"Cerberus.ChatOps.dll\"]", runtime.ArgumentsOf("ENTRYPOINT").Single());
    }

    [Fact]
    public void Dockerignore_Patterns_ExcludeBuildOutputAndLocalStateButKeepWhatTheBuildCopies()
    {
        // arrange
        var patterns = File.ReadAllLines(RepositoryPaths.Combine(".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        // act
        var copied = Stages[0].ArgumentsOf("COPY").SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();

        // assert
        foreach (var required in new[] { "**/bin/", "**/obj/", ".git", "**/*.db", "**/.env", "tests/" })
        {
            Assert.Contains(required, patterns);
        }

        foreach (var source in copied)
        {
            Assert.DoesNotContain(source.TrimEnd('/'), patterns.Select(p => p.TrimEnd('/')));
        }
    }

    [GeneratedRegex("(SECRET|TOKEN|PASSWORD|PASSWD|PWD|APIKEY|API_KEY|PRIVATE|CREDENTIAL)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex("(password=|pwd=|xox[abpr]-|xapp-|-----BEGIN)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValue();

    [GeneratedRegex(@"\s-o\s+(?<path>\S+)")]
    private static partial Regex OutputOption();
}
