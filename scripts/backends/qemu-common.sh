# shellcheck shell=bash
# Helpers shared by the tcg and kvm backends (sourced, not a backend).

qemu_check() {
	if [ -z "${QEMU:-}" ] || ! command -v -- "$QEMU" >/dev/null 2>&1; then
		echo "QEMU (${QEMU:-qemu-system-x86_64}) not found; install the Debian package qemu-system-x86 (or run scripts/install-deps.sh)"
		return 1
	fi
}

qemu_describe() { echo "$BACKEND"; }

qemu_prepare() { :; }

qemu_cmdline_extra() { :; }

# qemu_run KERNEL CMDLINE SERIAL_LOG TIMEOUT WORKDIR QEMU-ARGS...
qemu_run() {
	local kernel=$1 cmdline=$2 serial=$3 timeout=$4 workdir=$5 pid rc=0
	shift 5
	local blog=${serial%.log}.$BACKEND.log
	case "$serial" in
	*,*) echo "serial log path '$serial' contains a comma; QEMU cannot use it" >"$blog"
	     echo 125 >"$workdir/emu_status"; return 0 ;;
	esac
	{
		printf '# %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ') $BACKEND: timeout ${timeout}s"
		printf '# %q' "$QEMU" "$@" -machine pc -m 256 -display none -no-reboot \
			-serial "file:$serial" -device isa-debug-exit,iobase=0xf4,iosize=4 \
			-kernel "$kernel" -append "$cmdline"
		echo
	} >"$blog"
	: >"$serial"
	setsid timeout -s KILL "$timeout" "$QEMU" "$@" -machine pc -m 256 \
		-display none -no-reboot -serial "file:$serial" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$kernel" -append "$cmdline" </dev/null >>"$blog" 2>&1 &
	pid=$!
	echo "$pid" >"$workdir/pid"
	wait "$pid" 2>/dev/null || rc=$?
	echo "$rc" >"$workdir/emu_status"
	echo "# exit status $rc" >>"$blog"
}

# qemu_diagnose SERIAL_LOG: backend-specific lines that explain a crash
qemu_diagnose() {
	local blog=${1%.log}.$BACKEND.log
	[ -f "$blog" ] || return 0
	grep -v '^# ' "$blog" | tail -n 5 || true
}

# QEMU's isa-debug-exit status: 2k+1.  k=0: no failure, k=1: failure.
qemu_exit_meaning() {
	case "$1" in
	1) echo pass ;;
	3) echo fail ;;
	*) echo other ;;
	esac
}
