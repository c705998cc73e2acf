using Alpt.Grid.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

// A grid silo as its own process. Configuration: appsettings.json, environment (ALPT_Grid__Key),
// command line (--Grid:Key=value).
// A silo started while its storage does not answer is built and started again until Grid:StartupStorageWait;
// SIGTERM drains the worker and stops the silo within Grid:ShutdownTimeout, whatever storage does.
return await GridStartup.RunSiloAsync(() =>
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.Configuration.AddEnvironmentVariables("ALPT_");
    builder.AddGridSilo();
    return builder.Build();
});
