#!/usr/bin/env bash
# Installs what `make bench` needs, only what is missing: the toolkit's build packages, nginx with its stream
# module (the TLS-proxy reference), coturn (the STUN reference) and util-linux's taskset.
# Installing must not start nginx or coturn as system services: while this script installs, a temporary
# policy-rc.d tells Debian's maintainer scripts not to start anything (unless one is already in place).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/../install-deps.sh" build
packages=(nginx libnginx-mod-stream coturn util-linux)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
echo "Installing: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}
