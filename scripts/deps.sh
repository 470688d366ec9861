#!/usr/bin/env bash
# Install the host packages the harness needs, from the machine's own apt
# sources (bookworm). Does nothing when everything is already installed.
. "$(dirname "$0")/common.sh"

PKGS=(
	# kernel build
	gcc make flex bison bc libelf-dev libssl-dev cpio rsync kmod xz-utils
	python3 git ccache python3-ply python3-git
	# guest: busybox, static test programs, QEMU
	busybox-static libnuma-dev qemu-system-x86
	# lint: Coccinelle; dpkg-dev for `apt-get source sparse`
	coccinelle dpkg-dev
	# lint: the series touches powerpc's CMM balloon driver
	gcc-powerpc64le-linux-gnu
	# lint: range migration with 64 KiB pages (arm64)
	gcc-aarch64-linux-gnu
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run 'make deps' as root"
mkdir -p "$BUILD"
progress "installing host packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >"$BUILD/deps.log" 2>&1; then
	apt-get update >>"$BUILD/deps.log" 2>&1 || true
	apt-get install -y --no-install-recommends "${missing[@]}" >>"$BUILD/deps.log" 2>&1 ||
		{ tail -n 20 "$BUILD/deps.log"; die "apt-get install failed, see build/deps.log"; }
fi
