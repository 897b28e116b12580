#!/usr/bin/env bash
# Builds the silo and the load tool in Release and runs the verdict-path benchmark (issue 2).
# Arguments go to the load tool, e.g.: bench/run.sh --duration 10 --rounds 5 --rate 5000
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Silo -c Release -v q -nologo
dotnet build bench/Clearinghouse.LoadTool -c Release -v q -nologo
dotnet bench/Clearinghouse.LoadTool/bin/Release/net10.0/Clearinghouse.LoadTool.dll "$@"
