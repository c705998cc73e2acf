using System.Text.Json;
using System.Xml.Linq;

namespace Alpt.Grid.Console.Tests;

/// <summary>The smoke sweep run once by the real console (an embedded grid in a child process), then queried.</summary>
public sealed class SmokeSweepFixture : IDisposable
{
    /// <summary>labelled-only, idm-target and alpt at two budgets, the oracle once (every label): 7 experiments × 3 seeds.</summary>
    public const int Trials = 21;

    public SmokeSweepFixture()
    {
        (Exit, Output) = AlptProcess.Run(Sandbox, "sweep", "run", "--preset", "smoke");
    }

    internal AlptSandbox Sandbox { get; } = new();

    public int Exit { get; }

    public string Output { get; }

    public void Dispose() => Sandbox.Dispose();
}

public sealed class SweepEndToEndTests(SmokeSweepFixture smoke) : IClassFixture<SmokeSweepFixture>
{
    private const int SmokeTrials = SmokeSweepFixture.Trials;

    [Fact]
    public void Run_finishes_the_smoke_sweep_and_prints_the_results()
    {
        Assert.True(smoke.Exit == 0, smoke.Output);
        Assert.Contains($"progress: {SmokeTrials}/{SmokeTrials} finished ({SmokeTrials} succeeded, 0 failed", smoke.Output, StringComparison.Ordinal);
        Assert.Contains($"sweep smoke completed: {SmokeTrials} succeeded, 0 failed", smoke.Output, StringComparison.Ordinal);
        Assert.Contains("method − baseline", smoke.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Results_as_a_table_have_a_row_per_experiment_and_the_comparisons()
    {
        var (exit, output) = AlptProcess.Run(smoke.Sandbox, "sweep", "results", "smoke");

        Assert.True(exit == 0, output);
        var rows = output.Split('\n').Where(l => l.Contains("│ freeway", StringComparison.Ordinal)).ToList();
        // 7 experiments (3 methods × 2 budgets, the oracle once) + 10 comparisons (2 budgets × (alpt − idm-target: 2 metrics,
        // alpt − labelled-only, idm-target − labelled-only, oracle − labelled-only: 1 each)).
        Assert.Equal(7 + 10, rows.Count);
        Assert.Contains(rows, r => r.Contains("asterix", StringComparison.Ordinal) && r.Contains("alpt", StringComparison.Ordinal) && r.Contains("±", StringComparison.Ordinal));
        var oracle = Assert.Single(rows.Select(r => r.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)), r => r[3] == "oracle");
        Assert.Equal("all", oracle[2]);
        Assert.Contains(rows, r => r.Contains("100 (0.111 min)", StringComparison.Ordinal));
    }

    [Fact]
    public void Results_as_csv_have_every_experiment_with_three_seeds()
    {
        var file = smoke.Sandbox.PathOf("smoke.csv");

        var (exit, output) = AlptProcess.Run(smoke.Sandbox, "sweep", "results", "smoke", "--format", "csv", "--out", file);

        Assert.True(exit == 0, output);
        var lines = File.ReadAllLines(file);
        var header = lines[0].Split(',');
        Assert.Equal(8, lines.Length);
        var succeeded = Array.IndexOf(header, "succeeded");
        var budget = Array.IndexOf(header, "budget");
        var allLabels = Array.IndexOf(header, "all_labels");
        var accuracy = Array.IndexOf(header, "idm_accuracy_mean");
        var method = Array.IndexOf(header, "method");
        foreach (var row in lines.Skip(1).Select(l => l.Split(',')))
        {
            Assert.Equal("3", row[succeeded]);
            Assert.Equal(row[method] == "oracle" ? ("", "true") : (row[budget], "false"), (row[budget], row[allLabels]));
            var usesIdm = row[method] is "alpt" or "idm-target";
            Assert.Equal(usesIdm, row[accuracy].Length > 0);
            if (usesIdm)
            {
                Assert.InRange(double.Parse(row[accuracy], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
            }
        }
    }

    [Fact]
    public void Results_as_json_carry_estimates_and_welch_comparisons()
    {
        var (exit, output) = AlptProcess.Run(smoke.Sandbox, "sweep", "results", "smoke", "--format", "json");

        Assert.True(exit == 0, output);
        using var json = JsonDocument.Parse(output);
        var experiments = json.RootElement.GetProperty("experiments");
        Assert.Equal(7, experiments.GetArrayLength());
        var oracle = Assert.Single(experiments.EnumerateArray(), e => e.GetProperty("method").GetString() == "oracle");
        Assert.Equal((JsonValueKind.Null, true), (oracle.GetProperty("budget").ValueKind, oracle.GetProperty("allLabels").GetBoolean()));
        foreach (var e in experiments.EnumerateArray())
        {
            var normalized = e.GetProperty("normalizedReturn");
            Assert.Equal(3, normalized.GetProperty("n").GetInt32());
            Assert.True(normalized.GetProperty("ciLow").GetDouble() <= normalized.GetProperty("mean").GetDouble());
        }

        var comparisons = json.RootElement.GetProperty("comparisons");
        Assert.Equal(10, comparisons.GetArrayLength());
        Assert.All(comparisons.EnumerateArray(), c =>
        {
            Assert.True(c.GetProperty("ciLow").GetDouble() <= c.GetProperty("difference").GetDouble());
            // Every method of the smoke sweep ran on seeds 0..2: three pairs.
            Assert.Equal(3, c.GetProperty("nPairs").GetInt32());
            Assert.True(c.GetProperty("pairedCiLow").GetDouble() <= c.GetProperty("pairedDifference").GetDouble());
        });
    }

    [Fact]
    public void Plot_writes_a_valid_png_and_a_valid_svg()
    {
        var png = smoke.Sandbox.PathOf("smoke.png");
        var svg = smoke.Sandbox.PathOf("smoke.svg");

        var (pngExit, pngOutput) = AlptProcess.Run(smoke.Sandbox, "sweep", "plot", "smoke", "--out", png);
        var (svgExit, svgOutput) = AlptProcess.Run(smoke.Sandbox, "sweep", "plot", "smoke", "--out", svg);

        Assert.True(pngExit == 0, pngOutput);
        Assert.True(svgExit == 0, svgOutput);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.True(bytes.Length > 10_000);
        var document = XDocument.Load(svg);
        Assert.Equal("svg", document.Root!.Name.LocalName);
        Assert.Contains("IDM label accuracy", document.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Results_as_json_carry_each_trials_stored_curves_on_request()
    {
        var (exit, output) = AlptProcess.Run(smoke.Sandbox, "sweep", "results", "smoke", "--format", "json", "--curves");
        var (plainExit, plain) = AlptProcess.Run(smoke.Sandbox, "sweep", "results", "smoke", "--format", "json");
        var (tableExit, table) = AlptProcess.Run(smoke.Sandbox, "sweep", "results", "smoke", "--curves");

        Assert.True(exit == 0, output);
        using var json = JsonDocument.Parse(output);
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(SmokeTrials, trials.Count);
        foreach (var trial in trials)
        {
            var curves = trial.GetProperty("curves").EnumerateArray().ToList();
            var names = curves.Select(c => $"{c.GetProperty("phase").GetString()} {c.GetProperty("quantity").GetString()}").ToList();
            var usesIdm = trial.GetProperty("experiment").GetString()!.Split('-') is [_, "alpt", ..] or [_, "idm", "target", ..];
            // The smoke preset trains the IDM 30 steps and fine-tunes it 5, the policy 30; it evaluates only at the end.
            Assert.Equal(usesIdm ? ["idm loss", "idm-finetune loss", "policy loss"] : ["policy loss"], names);
            Assert.All(curves, c =>
            {
                var steps = c.GetProperty("steps").EnumerateArray().Select(s => s.GetInt32()).ToList();
                Assert.Equal(steps.Count, c.GetProperty("values").GetArrayLength());
                Assert.InRange(steps.Count, 1, 200);
                Assert.Equal(steps.Order(), steps);
            });
        }

        Assert.True(plainExit == 0, plain);
        Assert.DoesNotContain("\"curves\"", plain, StringComparison.Ordinal);
        Assert.NotEqual(0, tableExit);
        Assert.Contains("--curves needs --format json", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Curves_are_plotted_as_png_and_svg_and_filtered_by_experiment_and_phase()
    {
        var png = smoke.Sandbox.PathOf("curves.png");
        var svg = smoke.Sandbox.PathOf("policy.svg");

        var (pngExit, pngOutput) = AlptProcess.Run(smoke.Sandbox, "sweep", "curves", "smoke", "--out", png);
        var (svgExit, svgOutput) = AlptProcess.Run(smoke.Sandbox, "sweep", "curves", "smoke", "--experiment", "freeway-alpt", "--phase", "policy", "--out", svg);
        var (badExit, badOutput) = AlptProcess.Run(smoke.Sandbox, "sweep", "curves", "smoke", "--phase", "value", "--out", png);

        Assert.True(pngExit == 0, pngOutput);
        // Spectre wraps a long line at the terminal's width: compare the words.
        static string Words(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("(7 experiment(s), 15 curve(s))", Words(pngOutput), StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        Assert.True(svgExit == 0, svgOutput);
        Assert.Contains("(2 experiment(s), 2 curve(s))", Words(svgOutput), StringComparison.Ordinal);
        Assert.Equal("svg", XDocument.Load(svg).Root!.Name.LocalName);
        Assert.NotEqual(0, badExit);
        Assert.Contains("--phase 'value' is not a phase with curves (phases: idm, idm-finetune, policy)", Words(badOutput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_page_is_self_contained_and_renders_in_headless_chromium()
    {
        var page = smoke.Sandbox.PathOf("smoke-report.html");

        var (exit, output) = AlptProcess.Run(smoke.Sandbox, "sweep", "report", "smoke", "--out", page);

        Assert.True(exit == 0, output);
        Assert.Contains("report: curves of 7/7 experiment(s) read", string.Join(' ', output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Contains("report: figure 8/8 drawn", output, StringComparison.Ordinal);
        var html = File.ReadAllText(page);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain("id=\"in-progress\"", html, StringComparison.Ordinal);

        // Opened at its figures, so that the screenshot kept in docs/images shows plots.
        var look = await HeadlessChromium.LookAsync(new UriBuilder(new Uri(Path.GetFullPath(page))) { Fragment = "budgets" }.Uri, height: 1400, print: true);
        HeadlessChromium.Keep(look.Screenshot, Path.GetDirectoryName(page)!, "report.png");

        Assert.Equal("ALPT sweep smoke — report", look.Title);
        foreach (var section in new[] { "Spec", "Experiments", "Paired comparisons", "Budget plots", "Training curves", "Failures", "Timings", "No trial failed." })
        {
            Assert.Contains(section, look.Text, StringComparison.Ordinal);
        }

        // Two budget panels, six curve panels (two budgets × IDM, fine-tuning and policy loss), each decoded at its size.
        Assert.Equal(8, look.Images.Count);
        Assert.All(look.Images, i => Assert.True(i.Complete && (i.NaturalWidth, i.NaturalHeight) == (640, 420), $"image '{i.Alt}' decoded as {i.NaturalWidth}×{i.NaturalHeight}"));
        Assert.Contains(look.Images, i => i.Alt == "freeway, budget 100 (0.111 min): policy loss");
        Assert.Empty(look.ConsoleErrors);
        // Printed, it is a PDF of several pages (A4 landscape from the print styles).
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(look.Pdf!, 0, 4));
        Assert.True(look.Pdf!.Length > 100_000, $"the printed report is {look.Pdf.Length} bytes: its figures are missing");
    }

    [Fact]
    public void Status_and_list_know_the_sweep_and_an_unknown_id_is_an_error()
    {
        var (exit, output) = AlptProcess.Run(smoke.Sandbox, "sweep", "status", "smoke", "--json");
        var (unknownExit, unknownOutput) = AlptProcess.Run(smoke.Sandbox, "sweep", "results", "nope");

        Assert.True(exit == 0, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(SmokeTrials, json.RootElement.GetProperty("counts").GetProperty("succeeded").GetInt32());
        Assert.NotEqual(0, unknownExit);
        Assert.Contains("sweep 'nope' does not exist (known: smoke)", AlptProcess.Unwrapped(unknownOutput), StringComparison.Ordinal);
    }
}

/// <summary>A source from a variant (freeway:hard) through a real sweep run: every trial succeeds on that variant's data.</summary>
public sealed class SweepSourceVariantTests : IDisposable
{
    private const string Spec = """
        name: variant-sources
        preset: smoke
        targets: [breakout]
        sourceSets: [[freeway:hard]]
        budgets: [5%]
        methods: [alpt]
        seeds: 2
        """;

    private readonly AlptSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void A_sweep_with_a_source_variant_runs_every_trial_on_that_variant()
    {
        File.WriteAllText(sandbox.PathOf("variant.yaml"), Spec);

        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "run", "variant.yaml");
        var (jsonExit, jsonOutput) = AlptProcess.Run(sandbox, "sweep", "results", "variant-sources", "--format", "json");

        Assert.True(exit == 0, output);
        Assert.Contains("sweep variant-sources completed: 2 succeeded, 0 failed", output, StringComparison.Ordinal);
        Assert.True(jsonExit == 0, jsonOutput);
        using var json = JsonDocument.Parse(jsonOutput);
        var experiment = Assert.Single(json.RootElement.GetProperty("experiments").EnumerateArray());
        Assert.Equal("freeway:hard", experiment.GetProperty("sources").GetString());
        // 5% of the smoke target's 2,000 transitions.
        Assert.Equal(100, experiment.GetProperty("budget").GetInt32());
        Assert.All(json.RootElement.GetProperty("trials").EnumerateArray(), t => Assert.Equal("succeeded", t.GetProperty("state").GetString()));
        // The source data generated (and cached as an artifact) is freeway's hard variant's, not the standard one's.
        var artifacts = Directory.EnumerateFiles(sandbox.PathOf(".alpt"), "*.bin", SearchOption.AllDirectories).Select(f => f.Replace('\\', '/')).ToList();
        Assert.Contains(artifacts, f => f.Contains("/datasets/freeway/hard/", StringComparison.Ordinal));
        Assert.DoesNotContain(artifacts, f => f.Contains("/datasets/freeway/standard/", StringComparison.Ordinal));
        Assert.Contains(artifacts, f => f.Contains("/datasets/breakout/standard/", StringComparison.Ordinal));
    }
}

public sealed class SweepErrorTests : IDisposable
{
    private readonly AlptSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void A_bad_spec_file_is_refused_and_nothing_is_stored()
    {
        File.WriteAllText(sandbox.PathOf("bad.yaml"), "name: bad\ntargets: [freeway]\nsourceSets: [[freeway]]\nbudgets: [100]\n");

        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "run", "bad.yaml");

        Assert.NotEqual(0, exit);
        Assert.Contains("source set [freeway] contains the target 'freeway'", AlptProcess.Unwrapped(output), StringComparison.Ordinal);
        Assert.False(Directory.Exists(sandbox.PathOf(".alpt")));
    }

    [Theory]
    [InlineData("targets: [freeway\nbudgets: [1]", "malformed YAML")]
    [InlineData("targets: [freeway]\nsourceSets: [[asterix, asterix]]\nbudgets: [100]", "lists a source twice")]
    [InlineData("targets: [freeway]\nbudgets: [100]\nseeds: []", "at least one seed")]
    [InlineData("targets: [freeway]\nbudgets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\nseeds: 10000", "more than the limit of 100000")]
    public void Bad_spec_files_are_refused_through_the_console_with_nothing_stored(string yaml, string expected)
    {
        File.WriteAllText(sandbox.PathOf("bad.yaml"), "name: bad\n" + yaml + "\n");

        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "run", "bad.yaml");

        Assert.NotEqual(0, exit);
        Assert.Contains(expected, AlptProcess.Unwrapped(output), StringComparison.Ordinal);
        Assert.False(Directory.Exists(sandbox.PathOf(".alpt")));
    }

    [Fact]
    public void An_unknown_preset_is_refused_with_nothing_stored()
    {
        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "run", "--preset", "huge");

        Assert.NotEqual(0, exit);
        Assert.Contains("huge", AlptProcess.Unwrapped(output), StringComparison.Ordinal);
        Assert.False(Directory.Exists(sandbox.PathOf(".alpt")));
    }

    [Fact]
    public void An_unreachable_cluster_is_an_error_that_says_what_was_tried()
    {
        // The console retries a gateway that refuses connections (it may be restarting) for its retry window.
        sandbox.Environment["ALPT_Grid__ConsoleRetryTimeout"] = "00:00:03";
        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "list", "--gateway", "127.0.0.1:9");

        Assert.NotEqual(0, exit);
        Assert.Contains("could not reach the grid: tried cluster 'alpt' through the gateway 127.0.0.1:9", AlptProcess.Unwrapped(output), StringComparison.Ordinal);
        Assert.Contains("nothing answers at 127.0.0.1:9", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
    }
}

public sealed class SweepResumeTests : IDisposable
{
    // Six trials a few seconds each: long enough to be killed in the middle.
    private const string Spec = """
        name: resume
        preset: smoke
        targets: [freeway]
        sourceSets: [[asterix]]
        budgets: [100]
        methods: [idm-target, alpt, oracle]
        seeds: 2
        overrides:
          idm.steps: 300
          policy.steps: 300
        """;

    private readonly AlptSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void A_run_killed_mid_sweep_resumes_without_running_finished_trials_again()
    {
        File.WriteAllText(sandbox.PathOf("resume.yaml"), Spec);
        var log = sandbox.PathOf("executions.log");
        sandbox.Environment["ALPT_Grid__Executor__ExecutionLog"] = log;

        using (var first = AlptProcess.Start(sandbox, "sweep", "run", "resume.yaml"))
        {
            first.WaitFor(o => System.Text.RegularExpressions.Regex.IsMatch(o, @"progress: \d/6 finished \([2-5] succeeded"), TimeSpan.FromMinutes(3));
            first.Kill();
        }

        var before = Trials();
        var finished = before.Where(t => t.State == "succeeded").ToList();
        Assert.InRange(finished.Count, 2, 5);

        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "run", "resume.yaml");

        Assert.True(exit == 0, output);
        Assert.Contains("resuming", output, StringComparison.Ordinal);
        var after = Trials();
        Assert.Equal(6, after.Count(t => t.State == "succeeded"));
        var executions = File.ReadAllLines(log).Select(l => l.Split(' ')[0]).ToList();
        foreach (var trial in finished)
        {
            // Recorded once, run once, and its result untouched by the second run.
            Assert.Equal(1, executions.Count(e => e == trial.Trial));
            Assert.Equal(trial.Metrics, after.Single(t => t.Trial == trial.Trial).Metrics);
        }

        Assert.All(after, t => Assert.Contains(t.Trial, executions));
    }

    private List<(string Trial, string State, string Metrics)> Trials()
    {
        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "results", "resume", "--format", "json");
        Assert.True(exit == 0, output);
        using var json = JsonDocument.Parse(output);
        return [.. json.RootElement.GetProperty("trials").EnumerateArray().Select(t => (
            t.GetProperty("trial").GetString()!,
            t.GetProperty("state").GetString()!,
            t.GetProperty("metrics").ToString()))];
    }
}

public sealed class SweepClusterTests : IDisposable
{
    private readonly AlptSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public void Launch_status_list_cancel_and_retry_go_to_a_cluster_silo_through_its_gateway()
    {
        var gateway = "127.0.0.1:" + sandbox.Environment["ALPT_Grid__GatewayPort"];
        using var silo = SiloProcess.Start(sandbox);

        var (launchExit, launchOutput) = AlptProcess.Run(sandbox, "sweep", "launch", "--preset", "smoke", "--gateway", gateway);
        var (relaunchExit, relaunchOutput) = AlptProcess.Run(sandbox, "sweep", "launch", "--preset", "smoke", "--gateway", gateway);
        var queued = Status(gateway);
        var (listExit, listOutput) = AlptProcess.Run(sandbox, "sweep", "list", "--gateway", gateway, "--json");
        var (cancelExit, cancelOutput) = AlptProcess.Run(sandbox, "sweep", "cancel", "smoke", "--gateway", gateway);
        var cancelled = Status(gateway);
        var (retryExit, retryOutput) = AlptProcess.Run(sandbox, "sweep", "retry-failed", "smoke", "--gateway", gateway);
        var retried = Status(gateway);

        Assert.True(launchExit == 0, launchOutput);
        Assert.Contains($"sweep smoke launched: 7 experiments, {SmokeSweepFixture.Trials} trials on cluster 'alpt' through the gateway {gateway}", AlptProcess.Unwrapped(launchOutput), StringComparison.Ordinal);
        Assert.True(relaunchExit == 0, relaunchOutput);
        Assert.Contains("already launched", relaunchOutput, StringComparison.Ordinal);
        Assert.Equal(("running", SmokeSweepFixture.Trials), (queued.State, queued.Queued));
        Assert.True(listExit == 0, listOutput);
        Assert.Equal("smoke", JsonDocument.Parse(listOutput).RootElement[0].GetProperty("sweepId").GetString());
        Assert.True(cancelExit == 0, cancelOutput);
        Assert.Contains($"{SmokeSweepFixture.Trials} unfinished trial(s) cancelled", AlptProcess.Unwrapped(cancelOutput), StringComparison.Ordinal);
        Assert.Equal(("cancelled", SmokeSweepFixture.Trials), (cancelled.State, cancelled.Cancelled));
        Assert.True(retryExit == 0, retryOutput);
        Assert.Contains($"{SmokeSweepFixture.Trials} failed or cancelled trial(s) queued again", AlptProcess.Unwrapped(retryOutput), StringComparison.Ordinal);
        Assert.Equal(("running", SmokeSweepFixture.Trials), (retried.State, retried.Queued));
        // The console never started an embedded grid of its own.
        Assert.False(Directory.Exists(sandbox.PathOf(".alpt")));
    }

    [Fact]
    public void A_gateway_of_another_cluster_is_one_clean_error_line_that_names_the_cluster_id()
    {
        var gateway = "127.0.0.1:" + sandbox.Environment["ALPT_Grid__GatewayPort"];
        using var silo = SiloProcess.Start(sandbox);
        sandbox.Environment["ALPT_Grid__ClusterId"] = "another";

        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "status", "smoke", "--gateway", gateway);

        Assert.Equal(1, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: could not reach the grid", StringComparison.Ordinal), output);
        // Orleans either names the gateway's cluster id or just closes the connection; both name the likely cause.
        Assert.Matches("belongs to another cluster|a wrong cluster or service id is the likely cause", output);
        Assert.Contains("cluster id 'another'", output, StringComparison.Ordinal);
        Assert.Contains("ALPT_Grid__ClusterId", output, StringComparison.Ordinal);
    }

    private (string State, int Queued, int Cancelled) Status(string gateway)
    {
        var (exit, output) = AlptProcess.Run(sandbox, "sweep", "status", "smoke", "--gateway", gateway, "--json");
        Assert.True(exit == 0, output);
        using var json = JsonDocument.Parse(output);
        var counts = json.RootElement.GetProperty("counts");
        return (json.RootElement.GetProperty("state").ToString().ToLowerInvariant() switch { "1" => "running", "2" => "completed", "3" => "cancelled", var s => s },
            counts.GetProperty("queued").GetInt32(), counts.GetProperty("cancelled").GetInt32());
    }
}
