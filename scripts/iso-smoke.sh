#!/bin/bash
# Boot build/eptest.iso unattended and check that the default menu entry
# (all tests) reaches its end mark "eptest: END tests=N failed=0" (every
# test's SUMMARY has fail=0), N the count mkiso.sh wrote to ISO.tests:
#   1. QEMU TCG, BIOS (SeaBIOS, -cdrom)
#   2. QEMU TCG, UEFI (OVMF)
#   3. Bochs, corei7_icelake_u (VMX + EPT emulated)
# Usage: scripts/iso-smoke.sh [ISO]     (default build/eptest.iso)
# Env: ISO_SMOKE_TIMEOUT (QEMU runs, s, default 120),
#      ISO_SMOKE_BOCHS_TIMEOUT (default 600), ISO_SMOKE_LOGDIR (logs/iso-smoke)
set -euo pipefail

PROG='iso-smoke.sh'
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "$PROG: $*" >&2; exit 2; }

case "${1:-}" in -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;; -*) die "unknown option '$1'" ;; esac
[ $# -le 1 ] || die "usage: scripts/iso-smoke.sh [ISO]"
iso=${1:-$SRCDIR/build/eptest.iso}
[ -f "$iso" ] || die "$iso not found; run make iso first"
iso=$(cd "$(dirname "$iso")" && pwd)/$(basename "$iso")

if [ -f "$SRCDIR/config.mak" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		k=${line%%=*} v=${line#*=}
		case "$k" in
		QEMU|BOCHS|OVMF_CODE) [ -n "${!k:-}" ] || printf -v "$k" '%s' "$v" ;;
		esac
	done <"$SRCDIR/config.mak"
fi
QEMU=${QEMU:-qemu-system-x86_64}
BOCHS=${BOCHS:-bochs}
# bochs_write_rc: the same Bochs configuration as the runner's backend
# shellcheck source=scripts/backends/bochs.sh
. "$SRCDIR/scripts/backends/bochs.sh"
if [ -z "${OVMF_CODE:-}" ]; then
	for f in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF_CODE.fd /usr/share/OVMF/OVMF_CODE_4M.fd; do
		if [ -f "$f" ]; then OVMF_CODE=$f; break; fi
	done
fi
qto=${ISO_SMOKE_TIMEOUT:-120}
bto=${ISO_SMOKE_BOCHS_TIMEOUT:-600}
logdir=${ISO_SMOKE_LOGDIR:-$SRCDIR/logs/iso-smoke}
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)
case "$logdir" in *,*|*' '*) die "log directory '$logdir' must not contain commas or spaces" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eptest-isosmoke.XXXXXX")
cleanup() {
	local p
	if [ -f "$tmp/pids" ]; then
		while read -r p; do kill -KILL -- "-$p" 2>/dev/null || true; done <"$tmp/pids"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

npass=0 nfail=0
ok() { echo "ok - $1"; npass=$((npass + 1)); }
notok() {
	local log=$2
	echo "not ok - $1"
	shift 2
	local l
	for l in "$@"; do echo "#   $l"; done
	if [ -s "$log" ]; then
		echo "#   last lines of $log:"
		tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | tr -c '\n[:print:]\t' '?' |
			grep -v '^[[:space:]?]*$' | tail -n 10 | sed 's/^/#     /'
	fi
	nfail=$((nfail + 1))
}

# run_bounded TIMEOUT OUTFILE CMD...: run in its own session, killed at
# TIMEOUT; prints the exit status
run_bounded() {
	local to=$1 outf=$2 pid rc=0
	shift 2
	setsid timeout -s KILL "$to" "$@" </dev/null >"$outf" 2>&1 &
	pid=$!
	echo "$pid" >>"$tmp/pids"
	wait "$pid" 2>/dev/null || rc=$?
	sed -i "/^$pid\$/d" "$tmp/pids"
	echo "$rc"
}

# unlisted_failures SERIAL LIST: the failed checks of SERIAL that no entry
# of the known-deviation list LIST (scripts/deviations/LIST.txt) matches.
# The ISO's default entry passes no deviations= (it is meant for bare
# metal), so under an emulator its listed deviations count as failures.
unlisted_failures() {
	local serial=$1 list=$SRCDIR/scripts/deviations/$2.txt id glob hit
	local -a globs=()
	if [ -f "$list" ]; then
		while IFS='|' read -r glob _; do
			glob=${glob//[[:space:]]/}
			[ -n "$glob" ] && [ "${glob#\#}" = "$glob" ] && globs+=("$glob")
		done <"$list"
	fi
	tr -d '\r' <"$serial" | sed -n 's/^not ok [0-9]* - \([^: ]*\).*/\1/p' | while read -r id; do
		hit=0
		for glob in "${globs[@]}"; do
			# shellcheck disable=SC2053  # glob match on purpose
			if [[ $id == $glob ]]; then hit=1; break; fi
		done
		[ $hit = 1 ] || echo "$id"
	done
}

# How many tests the default entry runs (mkiso.sh writes ISO.tests).
want_tests=$(cat "$iso.tests" 2>/dev/null || true)

# check NAME SERIAL STATUS TIMEOUT EXPECTED-STATUS [DEVIATION-LIST]
check() {
	local name=$1 serial=$2 st=$3 to=$4 want=$5 devlist=${6:-} sum f n unlisted
	# the end mark, and the SUMMARY lines of the tests added up
	sum=$(tr -d '\r' <"$serial" | awk '
		/^eptest: SUMMARY / { for (i = 3; i <= NF; i++) { split($i, kv, "="); c[kv[1]] += kv[2] } }
		/^eptest: END / { end = $0 }
		END { if (end != "") printf "%s; pass=%d fail=%d skip=%d todo=%d xpass=%d\n", end, c["pass"], c["fail"], c["skip"], c["todo"], c["xpass"] }')
	if [ -z "$sum" ]; then
		if [ "$st" = 137 ]; then
			notok "$name" "$serial" "no end mark: timed out after $to s"
		else
			notok "$name" "$serial" "no end mark: emulator exited with status $st"
		fi
		return
	fi
	f=${sum#*; pass=*fail=}
	f=${f%% *}
	n=${sum#eptest: END tests=}
	n=${n%% *}
	if [ -n "$want_tests" ] && [ "$n" != "$want_tests" ]; then
		# a short count is a lost command line (see mkiso.sh)
		notok "$name" "$serial" "$sum; ran $n tests, the all-tests entry names $want_tests"
	elif [ "$f" != 0 ] && [ -n "$devlist" ]; then
		unlisted=$(unlisted_failures "$serial" "$devlist")
		if [ -n "$unlisted" ]; then
			notok "$name" "$serial" "$sum; failures not on the $devlist list: $(echo $unlisted | head -c 300)"
		else
			ok "$name: $sum (every failure is a listed $devlist deviation)"
		fi
	elif [ "$f" != 0 ]; then
		notok "$name" "$serial" "$sum"
	elif [ -n "$want" ] && [ "$st" != "$want" ]; then
		notok "$name" "$serial" "$sum, but the emulator exit status is $st, want $want (isa-debug-exit)"
	else
		ok "$name: $sum"
	fi
}

# shellcheck disable=SC2054 # commas inside QEMU option values
qemu_common=(-machine pc -accel tcg -cpu max -m 256 -display none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=4)

echo "# $PROG: $iso"

# 1. BIOS
name="qemu tcg, BIOS, -cdrom"
if command -v "$QEMU" >/dev/null 2>&1; then
	s=$logdir/qemu-bios.log
	: >"$s"
	st=$(run_bounded "$qto" "$logdir/qemu-bios.qemu.log" "$QEMU" "${qemu_common[@]}" \
		-serial "file:$s" -cdrom "$iso" -boot d)
	check "$name" "$s" "$st" "$qto" 1
else
	notok "$name" /dev/null "QEMU ($QEMU) not found; install the Debian package qemu-system-x86"
fi

# 2. UEFI
name="qemu tcg, UEFI (OVMF), -cdrom"
if ! command -v "$QEMU" >/dev/null 2>&1; then
	notok "$name" /dev/null "QEMU ($QEMU) not found; install the Debian package qemu-system-x86"
elif [ -z "${OVMF_CODE:-}" ] || [ ! -f "$OVMF_CODE" ]; then
	notok "$name" /dev/null "OVMF firmware not found; install the Debian package ovmf"
else
	fw=()
	case "$(basename "$OVMF_CODE")" in
	*CODE*)
		# split firmware: code read-only, a private copy of the variables
		vars=$(dirname "$OVMF_CODE")/$(basename "$OVMF_CODE" | sed 's/CODE/VARS/; s/\.ms\././; s/\.secboot\././; s/\.snakeoil\././')
		[ -f "$vars" ] || vars=$(dirname "$OVMF_CODE")/OVMF_VARS.fd
		cp "$vars" "$tmp/vars.fd"
		fw=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$tmp/vars.fd")
		;;
	*)
		cp "$OVMF_CODE" "$tmp/ovmf.fd" # OVMF writes its variables into the image
		fw=(-bios "$tmp/ovmf.fd")
		;;
	esac
	s=$logdir/qemu-uefi.log
	: >"$s"
	st=$(run_bounded "$qto" "$logdir/qemu-uefi.qemu.log" "$QEMU" "${qemu_common[@]}" \
		"${fw[@]}" -serial "file:$s" -cdrom "$iso" -boot d)
	check "$name" "$s" "$st" "$qto" 1
fi

# 3. Bochs
name="bochs corei7_icelake_u, BIOS, cdrom"
if command -v "$BOCHS" >/dev/null 2>&1; then
	s=$logdir/bochs.log
	: >"$s"
	bochs_write_rc "$tmp/bochsrc" "$iso" corei7_icelake_u "$s" "$logdir/bochs.bochs.log"
	printf 'continue\nquit\n' >"$tmp/bochs.cmds"
	rm -f "$logdir/bochs.bochs.out"
	bochs_drain_screen "$logdir/bochs.bochs.out" &
	drain=$!
	st=$(TERM=vt100 run_bounded "$bto" "$logdir/bochs.bochs.out" "$BOCHS" -q \
		-f "$tmp/bochsrc" ${BOCHS_DEBUGGER:+-rc "$tmp/bochs.cmds"})
	kill "$drain" 2>/dev/null || true
	check "$name" "$s" "$st" "$bto" "" "$(bochs_deviation_list)"
else
	notok "$name" /dev/null "Bochs ($BOCHS) not found; install the Debian packages bochs bochs-term bochsbios vgabios"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
