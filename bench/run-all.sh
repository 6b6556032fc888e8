#!/usr/bin/env bash
# Every benchmark of bench/, natively and the Windows build under Wine, next
# to the peers a programmer would otherwise use, in one run:
#
#   bench/run-all.sh            full run (about 5 minutes on 2 cores)
#   bench/run-all.sh --quick    every scenario once, briefly: checks that
#                               all run and are sane, judges no speed
#   bench/run-all.sh --publish  full run, then copies the table and chart
#                               to docs/benchmarks.md and docs/benchmarks.png
#
# Optional peers are installed when this runs as root with apt-get (python3
# for multiprocessing, libboost-dev for Boost.Interprocess, gnuplot for the
# chart, mingw-w64 and wine for the Windows build); whatever stays absent is
# said, and its rows are left out, never invented. Results go to
# build/bench-report/: the raw output of each program, results.csv,
# benchmarks.md and benchmarks.png.
set -euo pipefail
cd "$(dirname "$0")/.."

quick="" publish=0
for a in "$@"; do
    case "$a" in
    --quick) quick=--quick ;;
    --publish) publish=1 ;;
    *) echo "usage: bench/run-all.sh [--quick] [--publish]" >&2; exit 2 ;;
    esac
done

need=()
command -v python3 >/dev/null || need+=(python3)
[ -f /usr/include/boost/interprocess/sync/interprocess_mutex.hpp ] || need+=(libboost-dev)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(mingw-w64)
command -v wine >/dev/null || need+=(wine)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing the optional peers and tools: ${need[*]}"
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${need[@]}" >/dev/null || echo "could not install all of: ${need[*]}"
fi
command -v python3 >/dev/null || echo "absent: python3 (no Python peers)"
[ -f /usr/include/boost/interprocess/sync/interprocess_mutex.hpp ] ||
    echo "absent: Boost headers (no Boost.Interprocess peers)"

out=build/bench-report
rm -rf "$out"
mkdir -p "$out"
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
wine_ok=0
if command -v wine >/dev/null && command -v x86_64-w64-mingw32-gcc >/dev/null; then
    cmake --preset mingw-release >/dev/null
    cmake --build --preset mingw-release >/dev/null
    export XIPC_WINEPREFIX="$PWD/build/mingw-release/wineprefix"
    wine_ok=1
else
    echo "absent: mingw-w64 or wine (no Windows rows)"
fi

echo "platform,scenario,implementation,unit,median,min,max,ratio" > "$out/results.csv"
status=0
for b in build/release/bench/xipc_bench_*; do
    name=$(basename "$b")
    echo "== native $name $quick"
    "$b" $quick | tee "$out/native-$name.txt" || status=1
    grep '^csv,' "$out/native-$name.txt" | sed 's/^csv,/native,/' >> "$out/results.csv" || true
done
if [ "$wine_ok" = 1 ]; then
    # The prefix's wineserver and Wine's own programs start here, after the
    # native runs (busy for a while after they start, they would slow those)
    # and away from the benchmarks' output, and end after the Windows runs.
    cmake/wine-run.sh --init-prefix
    for b in build/mingw-release/bench/xipc_bench_*.exe; do
        name=$(basename "$b" .exe)
        echo "== wine $name $quick"
        cmake/wine-run.sh "$b" $quick | tr -d '\r' | tee "$out/wine-$name.txt" || status=1
        grep '^csv,' "$out/wine-$name.txt" | sed 's/^csv,/wine,/' >> "$out/results.csv" || true
    done
    cmake/wine-run.sh --stop-prefix
fi

{
    echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine:  $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "system:   $(uname -sr), $(gcc --version | head -1)"
    if [ "$wine_ok" = 1 ]; then echo "wine:     $(wine --version 2>/dev/null)"; fi
    echo "xipc:     $(git describe --always --dirty 2>/dev/null || echo unknown)"
    echo "command:  bench/run-all.sh${quick:+ $quick}"
} > "$out/facts.txt"

if command -v python3 >/dev/null; then
    python3 bench/report.py "$out"
    if command -v gnuplot >/dev/null; then
        gnuplot "$out/chart.gp"
    else
        echo "absent: gnuplot (no chart)"
    fi
fi
grep -c . "$out/results.csv" | awk '{print $1 - 1 " results in build/bench-report/results.csv"}'
if grep -qiE 'failed|miscounted|could not' "$out"/*.txt; then
    echo "some scenario failed: see build/bench-report/*.txt"
    status=1
fi
if [ "$publish" = 1 ] && [ -z "$quick" ] && [ "$status" = 0 ]; then
    cp "$out/benchmarks.md" docs/benchmarks.md
    [ -f "$out/benchmarks.png" ] && cp "$out/benchmarks.png" docs/benchmarks.png
    echo "published docs/benchmarks.md and docs/benchmarks.png"
fi
exit $status
