#!/bin/sh
# Silo container entry point. Containers get their address at run time (scaled replicas each have
# their own), so unless ALPT_Grid__AdvertisedAddress is set (Kubernetes sets it from the pod IP) the
# silo advertises the container's first address. Everything else comes from the ALPT_ environment.
set -eu
if [ -z "${ALPT_Grid__AdvertisedAddress:-}" ]; then
  ALPT_Grid__AdvertisedAddress="$(hostname -i | awk '{print $1}')"
  export ALPT_Grid__AdvertisedAddress
fi
exec dotnet /app/Alpt.Grid.Silo.dll "$@"
