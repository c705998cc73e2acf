# syntax=docker/dockerfile:1
# The grid silo (src/Alpt.Grid.Silo). One file, two variants, chosen by one build argument:
#   TORCH_BACKEND=cpu   TorchSharp-cpu on the ASP.NET Core runtime image (coordinator, CPU workers)
#   TORCH_BACKEND=cuda  TorchSharp-cuda-linux (AlptTorchBackend=cuda) on an NVIDIA CUDA runtime image
# Build from the repository root:
#   docker build -f deploy/silo.Dockerfile -t alpt-grid-silo:cpu .
#   docker build -f deploy/silo.Dockerfile --build-arg TORCH_BACKEND=cuda -t alpt-grid-silo:cuda .
# No configuration or secret is baked in: the silo reads ALPT_Grid__* and
# ALPT_Grid__StorageConnectionString from its environment at run time (docs/CONFIGURATION.md).
ARG TORCH_BACKEND=cpu
ARG DOTNET_VERSION=10.0
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS publish
ARG TORCH_BACKEND
WORKDIR /src
# Restore first, from the project files only, so source edits do not re-download packages.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/Alpt.Environments/Alpt.Environments.csproj src/Alpt.Environments/
COPY src/Alpt.Learning/Alpt.Learning.csproj src/Alpt.Learning/
COPY src/Alpt.Grid.Abstractions/Alpt.Grid.Abstractions.csproj src/Alpt.Grid.Abstractions/
COPY src/Alpt.Grid.Grains/Alpt.Grid.Grains.csproj src/Alpt.Grid.Grains/
COPY src/Alpt.Grid.Silo/Alpt.Grid.Silo.csproj src/Alpt.Grid.Silo/
RUN dotnet restore src/Alpt.Grid.Silo/Alpt.Grid.Silo.csproj -p:AlptTorchBackend=${TORCH_BACKEND}
COPY src/ src/
RUN dotnet publish src/Alpt.Grid.Silo/Alpt.Grid.Silo.csproj -c Release --no-restore \
      -p:AlptTorchBackend=${TORCH_BACKEND} -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime-cpu

FROM ${CUDA_IMAGE} AS runtime-cuda
# The .NET and ASP.NET Core runtimes, from the official image, onto the CUDA base.
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0 /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_RUNNING_IN_CONTAINER=true \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

FROM runtime-${TORCH_BACKEND} AS silo
# curl for the health check (GET /metrics); ca-certificates for a real storage account over TLS.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates libgomp1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=publish /app /app
COPY deploy/silo-entrypoint.sh /usr/local/bin/alpt-silo
# Containers listen on every interface and advertise their own address (silo-entrypoint.sh).
# Grid state lives in the storage account (Azure tables and blobs), not in the container.
ENV ALPT_Grid__ListenOnAnyAddress=true
# Orleans silo-to-silo, client gateway, Prometheus /metrics.
EXPOSE 11111 30000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9464/metrics || exit 1
ENTRYPOINT ["/usr/local/bin/alpt-silo"]
