# syntax=docker/dockerfile:1
# The `alpt` console (src/Alpt.Grid.Console) as an image, for `docker compose run console …` or a
# Kubernetes Job. It reaches the cluster through the same ALPT_Grid__* environment as the silos
# (Azure table membership with ALPT_Grid__StorageConnectionString, or ALPT_Grid__Gateway=host:port).
#   docker build -f deploy/console.Dockerfile -t alpt-grid-console .
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS publish
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/Alpt.Environments/Alpt.Environments.csproj src/Alpt.Environments/
COPY src/Alpt.Learning/Alpt.Learning.csproj src/Alpt.Learning/
COPY src/Alpt.Grid.Abstractions/Alpt.Grid.Abstractions.csproj src/Alpt.Grid.Abstractions/
COPY src/Alpt.Grid.Grains/Alpt.Grid.Grains.csproj src/Alpt.Grid.Grains/
COPY src/Alpt.Grid.Silo/Alpt.Grid.Silo.csproj src/Alpt.Grid.Silo/
COPY src/Alpt.Grid.Console/Alpt.Grid.Console.csproj src/Alpt.Grid.Console/
RUN dotnet restore src/Alpt.Grid.Console/Alpt.Grid.Console.csproj
COPY src/ src/
RUN dotnet publish src/Alpt.Grid.Console/Alpt.Grid.Console.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS console
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /work
COPY --from=publish /app /app
# Sweep specs and exported results: mount a host folder at /work (compose does).
ENTRYPOINT ["dotnet", "/app/alpt.dll"]
CMD ["--help"]
