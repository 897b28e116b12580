#!/usr/bin/env bash
# Builds the silo and the chaos tool in Release and runs the chaos runs (issues 5 and 8): three silo processes and
# Redis on loopback under mixed load; one silo SIGKILLed and restarted, redis-server SIGKILLed and restarted
# (appendfsync always, then everysec), one silo frozen with SIGSTOP for 30 s and resumed, and every silo restarted in
# turn by SIGTERM; --runs silo-azurite kills a silo of a cluster on Azurite (the Azure Storage profile). Needs
# redis-server and Azurite (scripts/test.sh installs them). Arguments go to the tool, e.g.:
# bench/chaos.sh --runs pause --pause 30 --before 20
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Silo -c Release -v q -nologo
dotnet build bench/Clearinghouse.Chaos -c Release -v q -nologo
dotnet bench/Clearinghouse.Chaos/bin/Release/net10.0/Clearinghouse.Chaos.dll "$@"
