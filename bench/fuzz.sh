#!/usr/bin/env bash
# Issue 9's fuzz tool: every parser of outside input fed generated and mutated inputs (figures in docs/BENCHMARKS.md).
#
#   bench/fuzz.sh run [--target all|a,b] [--inputs N] [--seed S] [--minutes M] [--findings DIR]
#       in-process: each target's seeds, then inputs generated from its grammar or mutated from its corpus
#   bench/fuzz.sh --coverage run ...
#       the same, coverage-guided: Clearinghouse.Domain and the gateway's parsers instrumented by SharpFuzz
#   bench/fuzz.sh afl TARGET [SECONDS]
#       afl-fuzz (Debian's afl++) on the instrumented build, for SECONDS (default 600); prints afl's figures
#   bench/fuzz.sh list | repro --target T --hex HEX
#
# Needs the .NET SDK; --coverage and afl restore the SharpFuzz.CommandLine tool (pinned in
# bench/Clearinghouse.Fuzz/dotnet-tools.json); afl installs Debian's afl++ when it is missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
tool=bench/Clearinghouse.Fuzz
out=$tool/bin/Release/net10.0
instrumented=$tool/bin/instrumented

coverage=0
if [ "${1:-}" = "--coverage" ]; then coverage=1; shift; fi
command=${1:-run}

dotnet build $tool -c Release -v q -nologo

# A copy of the build whose parsers count the branches they take (afl's bitmap). Instrumenting rewrites the DLLs.
instrument() {
  rm -rf "$instrumented"
  cp -r "$out" "$instrumented"
  (cd $tool && dotnet tool restore >/dev/null)
  (cd $tool && dotnet tool run sharpfuzz "bin/instrumented/Clearinghouse.Domain.dll")
  (cd $tool && dotnet tool run sharpfuzz "bin/instrumented/Clearinghouse.Gateway.dll" Clearinghouse.Gateway.Verification Clearinghouse.Gateway.Services)
}

case "$command" in
  afl)
    target=${2:?usage: bench/fuzz.sh afl TARGET [SECONDS]}
    seconds=${3:-600}
    if ! command -v afl-fuzz >/dev/null 2>&1; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++
    fi
    instrument
    work=$tool/bin/afl/$target
    rm -rf "$work" && mkdir -p "$work"
    dotnet "$instrumented/Clearinghouse.Fuzz.dll" seeds --target "$target" --out "$work/in"
    dotnet "$instrumented/Clearinghouse.Fuzz.dll" dict --target "$target" --out "$work/dictionary"
    # dotnet is not an afl-instrumented binary; SharpFuzz's fork server runs inputs in one process.
    AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
      afl-fuzz -i "$work/in" -o "$work/out" -x "$work/dictionary" -t 5000 -m none -V "$seconds" \
      -- dotnet "$instrumented/Clearinghouse.Fuzz.dll" afl --target "$target" > "$work/afl.log" 2>&1 || { tail -40 "$work/afl.log"; exit 1; }
    stats=$work/out/default/fuzzer_stats
    grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|edges_found|total_edges)' "$stats"
    crashes=$(find "$work/out/default/crashes" -type f -name 'id:*' | wc -l)
    for crash in "$work"/out/default/crashes/id:*; do
      [ -e "$crash" ] && dotnet "$instrumented/Clearinghouse.Fuzz.dll" repro --target "$target" --file "$crash" || true
    done
    [ "$crashes" -eq 0 ]
    ;;
  *)
    dll=$out/Clearinghouse.Fuzz.dll
    if [ "$coverage" = 1 ]; then instrument; dll=$instrumented/Clearinghouse.Fuzz.dll; fi
    dotnet "$dll" "$@"
    ;;
esac
