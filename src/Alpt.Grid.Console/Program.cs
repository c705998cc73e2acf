using Alpt.Grid.Console;

return await AlptApp.RunAsync(args).ConfigureAwait(false);
