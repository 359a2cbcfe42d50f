#!/usr/bin/env bash
# Installs the Debian packages the toolkit needs, only those missing.
# Usage: scripts/install-deps.sh [build|test]
#   build: what compiling and running needs (libsodium, pkg-config, openssl for inspection)
#   test:  build + what the integration tests drive (iproute2, nftables, conntrack, coturn, miniupnpd)
#          The NAT lab (scripts/natlab) uses: ip/ss (iproute2), nft (nftables), conntrack, turnserver
#          (coturn, STUN with RFC 5780), miniupnpd (its nftables flavour; the `miniupnpd` package
#          would pull in debconf questions and a service), flock (util-linux).
set -euo pipefail
profile=${1:-build}
packages=(libsodium-dev pkg-config)
if [ "$profile" = test ]; then
    packages+=(iproute2 openssl nftables conntrack coturn miniupnpd-nftables util-linux)
fi
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
echo "Installing: ${missing[*]}"
# coturn ships a service that would start a STUN/TURN server on the host's port 3478: tell
# invoke-rc.d not to start services during this install (the lab runs its own, in namespaces).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
if [ ! -f /var/lib/apt/periodic/update-success-stamp ] && [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}
