using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Alpt.Grid.Console.Tests;

/// <summary>
/// The built `alpt` console as a child process, in a working directory of its own and with embedded
/// grid ports of its own, so tests can kill it like a user's Ctrl+C never could.
/// </summary>
internal sealed class AlptProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock gate = new();

    private AlptProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (gate)
            {
                return output.ToString();
            }
        }
    }

    public int ExitCode => process.ExitCode;

    public static AlptProcess Start(AlptSandbox sandbox, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = sandbox.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ConsoleDll());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in sandbox.Environment)
        {
            info.Environment[key] = value;
        }

        return new AlptProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start alpt"));
    }

    /// <summary>Runs to the end (bounded) and returns exit code and output.</summary>
    public static (int Exit, string Output) Run(AlptSandbox sandbox, params string[] args)
    {
        using var alpt = Start(sandbox, args);
        alpt.WaitForExit(TimeSpan.FromMinutes(3));
        return (alpt.ExitCode, alpt.Output);
    }

    /// <summary>Output with line wrapping undone (Spectre wraps messages at 80 columns when redirected).</summary>
    public static string Unwrapped(string output) =>
        System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    public void WaitForExit(TimeSpan limit)
    {
        if (!process.WaitForExit(limit))
        {
            Kill();
            throw new TimeoutException($"alpt did not finish within {limit}; output so far:\n{Output}");
        }

        process.WaitForExit();
    }

    /// <summary>Waits until the output satisfies <paramref name="condition"/> (bounded).</summary>
    public void WaitFor(Func<string, bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!condition(Output))
        {
            if (process.HasExited || watch.Elapsed > limit)
            {
                throw new TimeoutException($"alpt {(process.HasExited ? "exited" : "did not get there")} first; output:\n{Output}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no graceful abandon of running trials.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            output.AppendLine(line);
        }
    }

    private static string ConsoleDll()
    {
        // Same configuration as this test assembly (bin/<Configuration>/net10.0).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(SweepSpecTests.RepositoryRoot(), "src", "Alpt.Grid.Console", "bin", configuration, "net10.0", "alpt.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the console first", dll);
    }
}

/// <summary>A temporary working directory and free embedded-grid ports for one test's alpt processes.</summary>
internal sealed class AlptSandbox : IDisposable
{
    public AlptSandbox()
    {
        System.IO.Directory.CreateDirectory(Directory);
        Environment["ALPT_Grid__SiloPort"] = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Environment["ALPT_Grid__GatewayPort"] = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Environment["ALPT_Grid__Slots"] = "cpu*2";
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "alpt-console-" + Guid.NewGuid().ToString("N"));

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        // A just-killed child may still be closing files: try a few times.
        for (var attempt = 1; System.IO.Directory.Exists(Directory); attempt++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException) when (attempt < 10)
            {
                Thread.Sleep(200);
            }
        }
    }
}

/// <summary>A grid silo process (coordinator only: no worker slots) with the sandbox's ports and its own state directory.</summary>
internal sealed class SiloProcess(Process process) : IDisposable
{
    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    public static SiloProcess Start(AlptSandbox sandbox)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(SweepSpecTests.RepositoryRoot(), "src", "Alpt.Grid.Silo", "bin", configuration, "net10.0", "Alpt.Grid.Silo.dll");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = sandbox.Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(File.Exists(dll) ? dll : throw new FileNotFoundException("build the silo first", dll));
        info.ArgumentList.Add($"--Grid:SiloPort={sandbox.Environment["ALPT_Grid__SiloPort"]}");
        info.ArgumentList.Add($"--Grid:GatewayPort={sandbox.Environment["ALPT_Grid__GatewayPort"]}");
        info.ArgumentList.Add("--Grid:Slots=none");
        info.ArgumentList.Add("--Grid:DataDirectory=" + Path.Combine(sandbox.Directory, "silo-state"));
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the silo");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var port = int.Parse(sandbox.Environment["ALPT_Grid__GatewayPort"], System.Globalization.CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new SiloProcess(process);
            }
            catch (SocketException) when (watch.Elapsed < TimeSpan.FromMinutes(1) && !process.HasExited)
            {
                Thread.Sleep(200);
            }
            catch (SocketException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("the silo process did not open its gateway");
            }
        }
    }
}
