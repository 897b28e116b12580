#!/usr/bin/env bash
# Builds the silo and the chaos tool in Release and runs the chaos runs (issue 5): three silo processes and Redis on
# loopback under mixed load; one silo SIGKILLed and restarted, then redis-server SIGKILLed and restarted (appendfsync
# always, then everysec); --runs silo-azurite kills a silo of a cluster on Azurite (the Azure Storage profile). Needs
# redis-server and Azurite (scripts/test.sh installs them). Arguments go to the tool, e.g.:
# bench/chaos.sh --runs silo --before 30
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Silo -c Release -v q -nologo
dotnet build bench/Clearinghouse.Chaos -c Release -v q -nologo
dotnet bench/Clearinghouse.Chaos/bin/Release/net10.0/Clearinghouse.Chaos.dll "$@"
