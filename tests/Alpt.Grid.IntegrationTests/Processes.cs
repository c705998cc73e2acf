using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Alpt.Grid.IntegrationTests;

/// <summary>A child process whose output is kept (for failure messages) and that is always killed at the end.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly string name;

    private ChildProcess(string name, Process process)
    {
        this.name = name;
        this.process = process;
    }

    public int Id => process.Id;

    public string Name => name;

    public bool HasExited => process.HasExited;

    public string Output => string.Join('\n', output);

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; fails with the output if the process exits or time runs out.</summary>
    public async Task WaitForOutput(string text, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (!output.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before printing '{text}':\n{Output}");
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{name} did not print '{text}' within {limit}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    public int ExitCode => process.ExitCode;

    /// <summary>SIGTERM only (docker stop, a Kubernetes pod deleted): the process drains and exits by itself.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the process to exit; false if it is still running after <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForExit(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it has not stopped in time.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 400 && output.TryDequeue(out _))
        {
        }
    }
}

internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration this test assembly was built in (the silo is built alongside).</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string SiloDirectory => Path.Combine(Root, "src", "Alpt.Grid.Silo", "bin", Configuration, "net10.0");

    public static string TempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ALPT.Grid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (ALPT.Grid.sln) above " + AppContext.BaseDirectory);
    }
}

/// <summary>Azurite on three free loopback ports with a temp data directory; it can be stopped and started again on the same ports and data.</summary>
internal sealed class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string data;
    private readonly int blob;
    private readonly int queue;
    private readonly int table;
    private ChildProcess? process;

    private Azurite(string data, int blob, int queue, int table)
    {
        this.data = data;
        this.blob = blob;
        this.queue = queue;
        this.table = table;
        ConnectionString = new StringBuilder()
            .Append("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=").Append(AccountKey)
            .Append(";BlobEndpoint=http://127.0.0.1:").Append(blob).Append("/devstoreaccount1")
            .Append(";QueueEndpoint=http://127.0.0.1:").Append(queue).Append("/devstoreaccount1")
            .Append(";TableEndpoint=http://127.0.0.1:").Append(table).Append("/devstoreaccount1;")
            .ToString();
    }

    public string ConnectionString { get; }

    /// <summary>The account key: the secret that must never show in logs or on /metrics.</summary>
    public static string Secret => AccountKey;

    public static async Task<Azurite> StartAsync()
    {
        var azurite = new Azurite(Repo.TempDirectory("alpt-azurite"), LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        try
        {
            await azurite.RestartAsync();
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        return azurite;
    }

    /// <summary>Starts Azurite (again) on the same ports over the same data.</summary>
    public async Task RestartAsync()
    {
        var executable = Path.Combine(Repo.Root, ".tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run scripts/setup (it installs azurite@3.37.0 with npm)");
        }

        if (process is not null)
        {
            await process.DisposeAsync();
        }

        process = ChildProcess.Start("azurite", executable,
            ["--location", data, "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
             "--tableHost", "127.0.0.1", "--tablePort", $"{table}", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl"],
            data);
        await process.WaitForOutput("Azurite Table service is successfully listening", TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops Azurite (SIGTERM, so it saves its data as a stopped service would); its ports refuse connections until <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (process is not null)
        {
            await process.StopAsync(TimeSpan.FromSeconds(15));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the dying process: the temp folder is cleaned by the OS eventually.
        }
    }
}
