#!/usr/bin/env bash
# `make bench`: builds derper and the load generators (Benchmarks/, a package of its own), runs every
# measurement of issue 7 with the server on one core and the load generator on another, prints one table of
# figures and target ratios, and writes Benchmarks/results/latest.json.
#
# Everything stays on loopback. Knobs (environment):
#   BENCH_DURATION=10 BENCH_WARMUP=2   seconds of each measured window and its warm-up
#   BENCH_PAIRS=4                      sender/receiver pairs in relay and reference runs
#   BENCH_SIZES="64 1280"              packet sizes (any of 20...65536, e.g. "64 570 1280 16384")
#   BENCH_IDLE=10000 BENCH_STORM=10000 connections of the idle and storm runs (0 skips the run)
#   BENCH_STUN_DURATION=8              seconds per STUN server
#   BENCH_SERVER_CPU=0 BENCH_CLIENT_CPU=1  cores for the servers and the load generator
#   BENCH_ONLY="relay reference stun idle storm"  the runs to do
#   BENCH_OUT=Benchmarks/results/latest.json
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
pairs=${BENCH_PAIRS:-4}
sizes=${BENCH_SIZES:-64 1280}
idle=${BENCH_IDLE:-10000}
storm=${BENCH_STORM:-10000}
stun_duration=${BENCH_STUN_DURATION:-8}
server_cpu=${BENCH_SERVER_CPU:-0}
client_cpu=${BENCH_CLIENT_CPU:-1}
only=${BENCH_ONLY:-relay reference stun idle storm}
out=${BENCH_OUT:-$root/Benchmarks/results/latest.json}
derp_port=18443 proxy_port=18444 sink_port=18445 stun_port=13478 coturn_port=13479

run_dir=$root/Benchmarks/results/run
results=$run_dir/results.jsonl
rm -rf "$run_dir"
mkdir -p "$run_dir"
chmod 700 "$run_dir"

# 10,000 clients and 10,000 server connections each need a descriptor.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "file descriptor limit: $(ulimit -n)"

echo "== building (release): derper, derpbench, stunbench"
swift build -c release --package-path Benchmarks --product derper
swift build -c release --package-path Benchmarks --product derpbench
swift build -c release --package-path Benchmarks --product stunbench
bin=$(swift build -c release --package-path Benchmarks --show-bin-path)

load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "load average before measuring: $(cat /proc/loadavg)"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

wait_for_tcp() {
    for _ in $(seq 1 150); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.2
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}

derper_pid=
start_derper() {
    taskset -c "$server_cpu" "$bin/derper" -a "127.0.0.1:$derp_port" -certmode manual -hostname 127.0.0.1 \
        -certdir "$run_dir/certs" -c "$run_dir/derper.key" -http-port -1 -stun-port "$stun_port" \
        -derp-map-out "$run_dir/map.json" >>"$run_dir/derper.log" 2>&1 &
    derper_pid=$!
    pids+=("$derper_pid")
    wait_for_tcp "$derp_port"
    for _ in $(seq 1 50); do [ -s "$run_dir/map.json" ] && break; sleep 0.1; done
}
stop_derper() {
    kill "$derper_pid" 2>/dev/null || true
    wait "$derper_pid" 2>/dev/null || true
    rm -f "$run_dir/map.json"
}
gen() { taskset -c "$client_cpu" "$@"; }
wants() { [[ " $only " == *" $1 "* ]]; }

start_derper
common=(--map "$run_dir/map.json" --json-out "$results")

if wants relay; then
    for size in $sizes; do
        extra=()
        [ "$size" = 1280 ] && extra=(--half-rate-latency)
        echo "== relay, $size-byte packets, $pairs pairs"
        gen "$bin/derpbench" relay "${common[@]}" --server-pid "$derper_pid" --pairs "$pairs" --size "$size" \
            --warmup "$warmup" --duration "$duration" "${extra[@]}"
    done
fi

if wants reference; then
    cat >"$run_dir/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid $run_dir/nginx.pid;
error_log $run_dir/nginx-error.log warn;
events { worker_connections 4096; }
stream {
    server {
        listen 127.0.0.1:$proxy_port ssl;
        ssl_certificate $run_dir/certs/127.0.0.1.crt;
        ssl_certificate_key $run_dir/certs/127.0.0.1.key;
        proxy_pass 127.0.0.1:$sink_port;
        proxy_ssl on;
        # The same cipher as the clients negotiate with derper (BoringSSL prefers AES-128-GCM).
        proxy_ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    }
}
EOF
    taskset -c "$server_cpu" nginx -p "$run_dir" -c "$run_dir/nginx.conf" -e "$run_dir/nginx-error.log" &
    nginx_pid=$!
    pids+=("$nginx_pid")
    wait_for_tcp "$proxy_port"
    worker=$(pgrep -P "$nginx_pid" | head -1)
    for size in $sizes; do
        echo "== reference (nginx stream TLS proxy), $size-byte packets, $pairs pairs"
        gen "$bin/derpbench" reference "${common[@]}" --server-name nginx --server-pid "$worker" \
            --proxy-port "$proxy_port" --sink-port "$sink_port" \
            --cert "$run_dir/certs/127.0.0.1.crt" --key "$run_dir/certs/127.0.0.1.key" \
            --pairs "$pairs" --size "$size" --warmup "$warmup" --duration "$duration"
    done
    # The latency floor: nginx paced at the rate of derper's half-rate latency run, same generator.
    half_rate=$(python3 -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("name") == "latency-1280-half": print(r["parameters"]["rate"])' "$results" 2>/dev/null | tail -1)
    if [ -n "$half_rate" ]; then
        echo "== reference latency: nginx paced at $half_rate pkt/s, 1280-byte packets"
        gen "$bin/derpbench" reference "${common[@]}" --server-name nginx --server-pid "$worker" \
            --proxy-port "$proxy_port" --sink-port "$sink_port" \
            --cert "$run_dir/certs/127.0.0.1.crt" --key "$run_dir/certs/127.0.0.1.key" \
            --pairs "$pairs" --size 1280 --warmup "$warmup" --duration "$duration" --rate "$half_rate"
    fi
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
fi

if wants stun; then
    taskset -c "$server_cpu" turnserver -n --stun-only --no-auth -L 127.0.0.1 -p "$coturn_port" --no-tls --no-dtls \
        --no-cli --no-rfc5780 --log-file "$run_dir/coturn.log" --simple-log --pidfile "$run_dir/coturn.pid" \
        >/dev/null 2>&1 &
    coturn_pid=$!
    pids+=("$coturn_pid")
    sleep 1
    echo "== STUN: derper and coturn, both on core $server_cpu"
    gen "$bin/stunbench" --target "derper=127.0.0.1:$stun_port" --target "coturn=127.0.0.1:$coturn_port" \
        --server-pid "derper=$derper_pid" --server-pid "coturn=$coturn_pid" \
        --duration "$stun_duration" --json-out "$results"
    kill "$coturn_pid" 2>/dev/null || true
    wait "$coturn_pid" 2>/dev/null || true
fi

if wants idle && [ "$idle" -gt 0 ]; then
    stop_derper
    start_derper
    echo "== idle: $idle DERP connections held"
    gen "$bin/derpbench" idle "${common[@]}" --server-pid "$derper_pid" -k "$idle"
fi

if wants storm && [ "$storm" -gt 0 ]; then
    stop_derper
    start_derper
    echo "== storm: $storm DERP connections at once"
    gen "$bin/derpbench" storm "${common[@]}" --server-pid "$derper_pid" -k "$storm"
fi
stop_derper

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain 2>/dev/null | grep -v '^??' || true)" ] && commit="$commit+changes"
mkdir -p "$(dirname "$out")"
echo
"$bin/derpbench" report --results "$results" --out "$out" --commit "$commit" --load-before "$load_before" \
    --note "server on core $server_cpu, load generator on core $client_cpu; nproc $(nproc)" \
    --note "windows: ${duration}s after ${warmup}s warm-up; $pairs pairs; STUN ${stun_duration}s per server"
