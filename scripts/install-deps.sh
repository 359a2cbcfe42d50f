#!/usr/bin/env bash
# Installs the Debian packages the toolkit needs, only those missing.
# Usage: scripts/install-deps.sh [build|test]
#   build: what compiling and running needs (libsodium, pkg-config, openssl for inspection)
#   test:  build + what the integration tests drive (iproute2, nftables, conntrack, coturn, miniupnpd)
set -euo pipefail
profile=${1:-build}
packages=(libsodium-dev pkg-config)
if [ "$profile" = test ]; then
    packages+=(iproute2 openssl)
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
if [ ! -f /var/lib/apt/periodic/update-success-stamp ] && [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}
