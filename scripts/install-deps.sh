#!/bin/bash
# Install the Debian packages eptest needs to build and run its tests.
# Idempotent: only missing packages are installed; silent when nothing is
# missing.  Not root and something missing: print the command, exit 1.
set -euo pipefail

pkgs=(
	gcc clang binutils make
	grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
	qemu-system-x86 ovmf
	bochs bochsbios vgabios bochs-term
	python3 chromium libxml2-utils lava-common
)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps.sh: dpkg-query not found; this script supports Debian/Ubuntu only." >&2
	echo "install-deps.sh: needed packages: ${pkgs[*]}" >&2
	exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		missing+=("$p")
	fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: missing packages: ${missing[*]}" >&2
	echo "install-deps.sh: run as root:" >&2
	echo "  $cmd"
	exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
