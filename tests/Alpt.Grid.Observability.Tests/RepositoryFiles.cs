namespace Alpt.Grid.Observability.Tests;

/// <summary>Finds files of the repository (deploy/, grafana/) from a test's output directory.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ALPT.Grid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ALPT.Grid.sln above {AppContext.BaseDirectory}.");
    }
}
