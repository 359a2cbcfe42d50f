#!/usr/bin/env bash
# Starts a local derper for `make run`: TLS with a generated self-signed certificate for
# 127.0.0.1 (pinned in the printed DERP map), STUN on UDP, state kept in RUN_DIR.
# Usage: scripts/run-local-derper.sh DERPER_BINARY RUN_DIR [TLS_PORT] [STUN_PORT]
set -euo pipefail
derper=$1
run_dir=$2
port=${3:-8443}
stun_port=${4:-3478}
mkdir -p "$run_dir/certs"
chmod 700 "$run_dir"
echo "Starting derper on https://127.0.0.1:$port (STUN on udp/$stun_port); state in $run_dir"
echo "The DERP map below is also written to $run_dir/derpmap.json for: stunner/netprobe --derp-map $run_dir/derpmap.json"
echo "Stop with Ctrl-C."
echo
exec "$derper" \
    -a "127.0.0.1:$port" \
    -hostname 127.0.0.1 \
    -certmode manual \
    -certdir "$run_dir/certs" \
    -c "$run_dir/derper.key" \
    -http-port -1 \
    -stun-port "$stun_port" \
    -derp-map-out "$run_dir/derpmap.json"
