using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Alpt.Grid.Observability.Tests;

/// <summary>
/// A real Prometheus (the Debian package's binary) on a free loopback port with its own temporary
/// config and data directory, scraping the given targets every second. Disposing kills it and
/// removes the directory; the system service the package may have installed is never used.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The scrape interval of the test config; rate windows must span several of them.</summary>
    public static TimeSpan ScrapeInterval { get; } = TimeSpan.FromSeconds(1);

    public static async Task<PrometheusServer> StartAsync(IEnumerable<Uri> metricsEndpoints, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("alpt-prometheus-").FullName;
        var targets = metricsEndpoints.ToList();
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: {ScrapeInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s
              evaluation_interval: {ScrapeInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s
            scrape_configs:
              - job_name: alpt-silo
                metrics_path: {targets[0].AbsolutePath}
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"\"{t.Authority}\""))}]
            """, cancellationToken);

        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("prometheus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start prometheus (scripts/setup installs it).");
        // Drain its output so a chatty Prometheus never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Evaluates an instant query through the HTTP API; returns the number of series (1 for a scalar).</summary>
    public async Task<int> QueryAsync(string promql, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri($"api/v1/query?query={Uri.EscapeDataString(promql)}", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!response.IsSuccessStatusCode || body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus rejected '{promql}': {body}");
        }

        var data = body.GetProperty("data");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" or "matrix" => data.GetProperty("result").GetArrayLength(),
            _ => 1,
        };
    }

    /// <summary>Evaluates an instant query expected to give one number (e.g. a sum); null when it has no data.</summary>
    public async Task<double?> ValueAsync(string promql, CancellationToken cancellationToken)
    {
        var body = await _http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/query?query={Uri.EscapeDataString(promql)}", UriKind.Relative), cancellationToken);
        var result = body.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>The scrape health of every target (health and last error), for failure messages.</summary>
    public async Task<string> TargetHealthAsync(CancellationToken cancellationToken)
    {
        var body = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/targets", UriKind.Relative), cancellationToken);
        return string.Join("; ", body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(t =>
            $"{t.GetProperty("scrapeUrl").GetString()}: {t.GetProperty("health").GetString()} {t.GetProperty("lastError").GetString()}"));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode} before it was ready.");
            }

            try
            {
                using var ready = await _http.GetAsync(new Uri("-/ready", UriKind.Relative), cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
