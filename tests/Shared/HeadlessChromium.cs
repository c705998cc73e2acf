using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>An image of a page as the browser decoded it.</summary>
public sealed record PageImage(string Alt, string Source, bool Complete, int NaturalWidth, int NaturalHeight);

/// <summary>What a person would see: the page's title and text, its images, the errors in its console, a screenshot.</summary>
/// <param name="Pdf">The page printed (its print styles applied), when asked for.</param>
public sealed record PageLook(string Title, string Text, IReadOnlyList<PageImage> Images, IReadOnlyList<string> ConsoleErrors, byte[] Screenshot, byte[]? Pdf = null);

/// <summary>
/// Debian's headless Chromium (the <c>chromium</c> package, installed by scripts/setup) driven over the
/// DevTools protocol: a fresh profile per page, loopback only, nothing downloaded. Opens a page, waits for it
/// to load (and for a condition, for pages that render with script), lets every image decode, and reads what
/// it shows. Console errors, uncaught exceptions and failed loads are collected from the start.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>The browser: <c>ALPT_CHROMIUM</c>, else <c>chromium</c> on PATH.</summary>
    public static string Executable()
    {
        var configured = Environment.GetEnvironmentVariable("ALPT_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("chromium is not installed: scripts/setup installs Debian's chromium package (or set ALPT_CHROMIUM)");
    }

    /// <param name="readyWhen">A JavaScript expression that is true once the page shows what it should (polled).</param>
    /// <param name="print">Also print the page to PDF, as a person printing it would get it.</param>
    public static async Task<PageLook> LookAsync(Uri url, int width = 1366, int height = 900, string? readyWhen = null, TimeSpan? timeout = null, bool print = false)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        var profile = Path.Combine(Path.GetTempPath(), "alpt-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var info = new ProcessStartInfo(Executable())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var browser = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
        var log = new StringBuilder();
        browser.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        browser.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        browser.BeginErrorReadLine();
        browser.BeginOutputReadLine();
        try
        {
            var port = await DevToolsPortAsync(profile, browser, log, deadline.Token);
            using var http = new HttpClient();
            var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), deadline.Token))!.AsArray();
            var page = targets.First(t => (string?)t!["type"] == "page")!;
            await using var session = await DevToolsSession.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), deadline.Token);
            await session.SendAsync("Page.enable", null, deadline.Token);
            await session.SendAsync("Runtime.enable", null, deadline.Token);
            await session.SendAsync("Log.enable", null, deadline.Token);
            await session.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, deadline.Token);
            var loaded = session.NextEvent("Page.loadEventFired");
            var navigation = await session.SendAsync("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri }, deadline.Token);
            if (navigation["errorText"] is { } error)
            {
                throw new InvalidOperationException($"chromium could not open {url}: {error}");
            }

            await loaded.WaitAsync(deadline.Token);
            if (readyWhen is not null)
            {
                while (!(await session.EvaluateAsync($"Boolean({readyWhen})", deadline.Token)).GetValue<bool>())
                {
                    await Task.Delay(200, deadline.Token);
                }
            }

            // Every image decoded (or failed) before its size is read.
            await session.EvaluateAsync("Promise.all([...document.images].map(i => i.decode().catch(() => null))).then(() => true)", deadline.Token);
            var look = (await session.EvaluateAsync(
                "JSON.stringify({ title: document.title, text: document.body ? document.body.innerText : '', images: [...document.images].map(i => ({ alt: i.alt, src: i.currentSrc.slice(0, 64), complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })) })",
                deadline.Token)).GetValue<string>();
            var shot = await session.SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, deadline.Token);
            var pdf = print
                ? Convert.FromBase64String((string)(await session.SendAsync("Page.printToPDF", new JsonObject { ["printBackground"] = true, ["preferCSSPageSize"] = true }, deadline.Token))["data"]!)
                : null;
            using var json = JsonDocument.Parse(look);
            var root = json.RootElement;
            var images = root.GetProperty("images").EnumerateArray().Select(i => new PageImage(
                i.GetProperty("alt").GetString() ?? "", i.GetProperty("src").GetString() ?? "", i.GetProperty("complete").GetBoolean(), i.GetProperty("w").GetInt32(), i.GetProperty("h").GetInt32())).ToList();
            try
            {
                await session.SendAsync("Browser.close", null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                // The browser closing its end first is the expected way for this to end.
            }

            return new PageLook(root.GetProperty("title").GetString() ?? "", root.GetProperty("text").GetString() ?? "", images, [.. session.Errors], Convert.FromBase64String((string)shot["data"]!), pdf);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            string output;
            lock (log)
            {
                output = log.ToString();
            }

            throw new TimeoutException($"chromium did not show {url} as expected in time{(readyWhen is null ? "" : $" (waiting for {readyWhen})")}; its output:\n{output}");
        }
        finally
        {
            if (!browser.WaitForExit(5000))
            {
                browser.Kill(entireProcessTree: true);
                browser.WaitForExit(5000);
            }

            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // A helper process may still hold a file for a moment; the temp directory is cleaned eventually.
            }
        }
    }

    /// <summary>Where a test keeps a screenshot: its own folder, and ALPT_SCREENSHOTS (e.g. docs/images) too when set.</summary>
    public static void Keep(byte[] screenshot, string folder, string name)
    {
        ArgumentNullException.ThrowIfNull(screenshot);
        File.WriteAllBytes(Path.Combine(folder, name), screenshot);
        if (Environment.GetEnvironmentVariable("ALPT_SCREENSHOTS") is { Length: > 0 } shared)
        {
            Directory.CreateDirectory(shared);
            File.WriteAllBytes(Path.Combine(shared, name), screenshot);
        }
    }

    private static async Task<int> DevToolsPortAsync(string profile, Process browser, StringBuilder log, CancellationToken cancellationToken)
    {
        var file = Path.Combine(profile, "DevToolsActivePort");
        while (true)
        {
            if (browser.HasExited)
            {
                lock (log)
                {
                    throw new InvalidOperationException($"chromium exited with {browser.ExitCode} before serving DevTools:\n{log}");
                }
            }

            if (File.Exists(file) && (await File.ReadAllLinesAsync(file, cancellationToken)) is [var first, ..] && int.TryParse(first, out var port))
            {
                return port;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>One DevTools connection: commands by id, events by name, errors the page reports.</summary>
    private sealed class DevToolsSession : IAsyncDisposable
    {
        private readonly ClientWebSocket socket = new();
        private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> pending = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> waiting = new();
        private readonly CancellationTokenSource stop = new();
        private Task? reader;
        private int nextId;

        public ConcurrentQueue<string> Errors { get; } = new();

        public static async Task<DevToolsSession> ConnectAsync(Uri address, CancellationToken cancellationToken)
        {
            var session = new DevToolsSession();
            session.socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await session.socket.ConnectAsync(address, cancellationToken);
            session.reader = Task.Run(session.ReadAsync);
            return session;
        }

        /// <summary>The next time the page sends <paramref name="method"/>, from now on.</summary>
        public Task NextEvent(string method)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting[method] = signal;
            return signal.Task;
        }

        public async Task<JsonNode> SendAsync(string method, JsonObject? parameters, CancellationToken cancellationToken)
        {
            var id = Interlocked.Increment(ref nextId);
            var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
            pending[id] = reply;
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
            return await reply.Task.WaitAsync(cancellationToken);
        }

        public async Task<JsonNode> EvaluateAsync(string expression, CancellationToken cancellationToken)
        {
            var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, cancellationToken);
            if (result["exceptionDetails"] is { } exception)
            {
                throw new InvalidOperationException($"script failed in the page: {exception.ToJsonString()}");
            }

            return result["result"]!["value"]!;
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            if (reader is not null)
            {
                await reader.ConfigureAwait(false);
            }

            socket.Dispose();
            stop.Dispose();
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[1 << 16];
            using var message = new MemoryStream();
            try
            {
                while (socket.State == WebSocketState.Open && !stop.IsCancellationRequested)
                {
                    var received = await socket.ReceiveAsync(buffer, stop.Token);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    message.Write(buffer, 0, received.Count);
                    if (!received.EndOfMessage)
                    {
                        continue;
                    }

                    var node = JsonNode.Parse(message.ToArray())!;
                    message.SetLength(0);
                    Dispatch(node);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                // Closed: the browser went away or the session ended.
            }

            foreach (var reply in pending.Values)
            {
                reply.TrySetException(new InvalidOperationException("the DevTools connection closed"));
            }
        }

        private static string Text(JsonNode? node) => node?.ToString() ?? "";

        private void Dispatch(JsonNode node)
        {
            if (node["id"] is { } id)
            {
                if (pending.TryRemove(id.GetValue<int>(), out var reply))
                {
                    if (node["error"] is { } error)
                    {
                        reply.TrySetException(new InvalidOperationException($"DevTools: {error.ToJsonString()}"));
                    }
                    else
                    {
                        reply.TrySetResult(node["result"] ?? new JsonObject());
                    }
                }

                return;
            }

            var method = (string?)node["method"] ?? "";
            var parameters = node["params"];
            var type = Text(parameters?["type"]);
            var level = Text(parameters?["entry"]?["level"]);
            switch (method)
            {
                case "Runtime.consoleAPICalled" when type is "error" or "assert":
                    Errors.Enqueue("console: " + string.Join(' ', parameters!["args"]!.AsArray().Select(a => a?["value"]?.ToString() ?? Text(a?["description"]))));
                    break;
                case "Runtime.exceptionThrown":
                    Errors.Enqueue("exception: " + (parameters?["exceptionDetails"]?["exception"]?["description"] is { } description ? Text(description) : Text(parameters?["exceptionDetails"]?["text"])));
                    break;
                case "Log.entryAdded" when level == "error":
                    Errors.Enqueue("log: " + Text(parameters!["entry"]!["text"]) + " " + Text(parameters["entry"]!["url"]));
                    break;
            }

            if (waiting.TryRemove(method, out var signal))
            {
                signal.TrySetResult();
            }
        }
    }
}
