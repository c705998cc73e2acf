namespace Alpt.Grid.Deployment.Tests;

/// <summary>docs/CONFIGURATION.md lists every option the silo binds, in both its forms.</summary>
public sealed class ConfigurationDocTests
{
    private static readonly string Doc = Repository.Text("docs/CONFIGURATION.md");

    [Fact]
    public void Every_silo_option_is_documented_with_its_environment_variable()
    {
        var missing = OptionKeys.Silo.Where(k => !Doc.Contains($"`{k}`", StringComparison.Ordinal) || !Doc.Contains($"`{OptionKeys.EnvironmentName(k)}`", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "not in docs/CONFIGURATION.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_console_keys_the_connection_string_and_kubernetes_variables_are_documented()
    {
        foreach (var key in OptionKeys.ConsoleOnly.Append(OptionKeys.ConnectionString))
        {
            Assert.Contains($"`{OptionKeys.EnvironmentName(key)}`", Doc, StringComparison.Ordinal);
        }

        Assert.All(OptionKeys.KubernetesHostingVariables, v => Assert.Contains($"`{v}`", Doc, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_documented_environment_variable_is_a_real_key()
    {
        var documented = System.Text.RegularExpressions.Regex.Matches(Doc, @"`(ALPT_(?:Grid|ConnectionStrings)__[A-Za-z0-9_]+)`").Select(m => m.Groups[1].Value).Distinct();

        Assert.All(documented, v => Assert.True(OptionKeys.IsSiloVariable(v) || OptionKeys.ConsoleOnly.Any(k => OptionKeys.EnvironmentName(k) == v), $"{v} is documented but is no option"));
    }
}
