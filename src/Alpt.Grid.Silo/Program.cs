using Alpt.Grid.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

// A grid silo as its own process. Configuration: appsettings.json, environment (ALPT_Grid__Key),
// command line (--Grid:Key=value).
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("ALPT_");
builder.AddGridSilo();
// SIGTERM drains the worker and stops the silo within Grid:ShutdownTimeout, whatever storage does.
var host = builder.Build();
return await host.RunBoundedAsync();
