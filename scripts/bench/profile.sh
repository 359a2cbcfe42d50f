#!/usr/bin/env bash
# Profiles derper's hot path: starts a release derper on one core, drives it from another with derpbench
# (relay) or stunbench (stun), samples it with `perf record -e cpu-clock` (works where hardware counters
# do not), and prints the top symbols and where the runtime time comes from.
# Usage: scripts/bench/profile.sh [relay SIZE | stun] [SECONDS]     e.g. scripts/bench/profile.sh relay 64
# (valgrind 3.19 cannot read the Swift 6.3 binaries' DWARF 5 and crashes on derper's threads, hence perf.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mode=${1:-relay}
size=${2:-1280}
seconds=${3:-6}
[ "$mode" = stun ] && seconds=${2:-6}
command -v perf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf
swift build -c release --package-path Benchmarks --product derper
swift build -c release --package-path Benchmarks --product derpbench
swift build -c release --package-path Benchmarks --product stunbench
bin=$(swift build -c release --package-path Benchmarks --show-bin-path)
dir=$root/Benchmarks/results/profile
rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir"
taskset -c "${BENCH_SERVER_CPU:-0}" "$bin/derper" -a 127.0.0.1:18453 -certmode manual -hostname 127.0.0.1 \
    -certdir "$dir/certs" -c "$dir/derper.key" -http-port -1 -stun-port 13488 -derp-map-out "$dir/map.json" \
    >"$dir/derper.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$dir/map.json" ] && break; sleep 0.1; done
(sleep 2; perf record -e cpu-clock -F 1999 -g -p "$pid" -o "$dir/perf.data" -- sleep "$seconds" >/dev/null 2>&1) &
if [ "$mode" = stun ]; then
    taskset -c "${BENCH_CLIENT_CPU:-1}" "$bin/stunbench" --target "derper=127.0.0.1:13488" \
        --server-pid "derper=$pid" --warmup 1 --duration "$((seconds + 2))"
else
    taskset -c "${BENCH_CLIENT_CPU:-1}" "$bin/derpbench" relay --map "$dir/map.json" --server-pid "$pid" \
        --size "$size" --warmup 1 --duration "$((seconds + 2))"
fi
wait %2 2>/dev/null || true
echo "== top symbols (self time)"
perf report -i "$dir/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -30 \
    | swift demangle --simplified | cut -c1-160
echo "== by module"
perf report -i "$dir/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -6
perf script -i "$dir/perf.data" -F ip,sym 2>/dev/null | swift demangle --simplified \
    | python3 "$root/scripts/bench/perf-callers.py" 25 | sed 's/(in .*)//' | cut -c1-160
echo "perf data: $dir/perf.data"
