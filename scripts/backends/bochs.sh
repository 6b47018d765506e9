# shellcheck shell=bash
# Backend "bochs": Bochs 2.7 with a VMX+EPT CPU model (bochs_cpu= in
# unittests.cfg).  Bochs cannot load a multiboot kernel itself, so each
# run boots a small GRUB El Torito CD that starts the kernel at once.
#
# The GRUB boot image is built once and cached in build/bochs/; a run only
# writes grub.cfg and calls xorriso (a few ms) in its own directory.

# shellcheck source=scripts/backends/host-common.sh
. "$SRCDIR/scripts/backends/host-common.sh"

BOCHS_BIOS=${BOCHS_BIOS:-/usr/share/bochs/BIOS-bochs-latest}
BOCHS_VGABIOS=${BOCHS_VGABIOS:-/usr/share/vgabios/vgabios.bin}
BOCHS_ELTORITO=
BOCHS_MEGS=256
BOCHS_LOAD=
BOCHS_RAM_PIECE=$((128 * 1024))

# What the Bochs binary that runs ($BOCHS) says about itself, asked once:
# its --help output carries the banner "Bochs x86 Emulator 2.7", the
# plugin directory (when built with plugins) and, with "--help features",
# the optional devices it was built with.  The package database is never
# asked: $BOCHS may be a build from source.
BOCHS_VERSION='' BOCHS_FEATURES='' BOCHS_PLUGIN_DIR='' BOCHS_PROBED='' BOCHS_DEBUGGER=''
# The result stream: port 0xE9 (kernel option console=e9), which Bochs
# copies to its stdout, when make has built the filter that takes the
# kernel's bytes out of it (scripts/backends/bochs-e9.c), else COM1 (set
# in backend_prepare; run_tests.sh passes console=$BACKEND_CONSOLE).
BACKEND_CONSOLE=serial
BOCHS_E9FILTER=
bochs_probe() {
	[ -z "$BOCHS_PROBED" ] || return 0
	BOCHS_PROBED=1
	local out
	# A Bochs built with its debugger (Debian's) stops at a debugger
	# prompt and needs -rc with "continue"; one built without it rejects
	# -rc.  Its features list does not say, its reaction to -rc does.
	out=$(timeout 10 "$BOCHS" -q -n -rc /dev/null </dev/null 2>&1 || true)
	case "$out" in
	*"'-rc' was not understood"*) ;;
	*) BOCHS_DEBUGGER=1 ;;
	esac
	out=$("$BOCHS" --help features 2>&1 </dev/null || true)
	BOCHS_VERSION=$(printf '%s\n' "$out" | sed -n 's/.*Bochs x86 Emulator \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
	BOCHS_PLUGIN_DIR=$(printf '%s\n' "$out" | sed -n "s/.*using compile time default '\([^']*\)'.*/\1/p" | head -n 1)
	BOCHS_FEATURES=" $(printf '%s\n' "$out" | awk '/^Supported features:/ { on = 1; next } on && NF == 1 { printf "%s ", $1; got = 1; next } on && got { exit }')"
}

# Version of the Bochs that runs ("2.7"), for deviations=bochs-VERSION;
# empty when its banner names none.
bochs_version() {
	bochs_probe
	echo "$BOCHS_VERSION"
}

# The deviation list for this Bochs, when the project has one: the lists
# are scripts/deviations/<name>.txt, compiled into the kernels.
bochs_deviation_list() {
	local v
	v=$(bochs_version)
	[ -n "$v" ] && [ -f "$SRCDIR/scripts/deviations/bochs-$v.txt" ] && echo "bochs-$v"
	return 0
}

backend_check() {
	if [ -n "${EPTEST_HOST_PAGES:-}" ]; then
		echo "backend bochs: --host-pages is for the QEMU backends (kvm, tcg); Bochs has no host page backing"
		return 1
	fi
	if [ -z "${BOCHS:-}" ] || ! command -v -- "$BOCHS" >/dev/null 2>&1; then
		echo "Bochs (${BOCHS:-bochs}) not found; install the Debian packages bochs bochs-term bochsbios vgabios (or run scripts/install-deps.sh)"
		return 1
	fi
	bochs_probe
	# A build with plugins loads the 'term' display from its plugin
	# directory; a build without has it compiled in, or not at all.
	if [ -n "$BOCHS_PLUGIN_DIR" ] && [ ! -f "$BOCHS_PLUGIN_DIR/libbx_term_gui.so" ]; then
		echo "Bochs display library 'term' not found in $BOCHS_PLUGIN_DIR; install the Debian package bochs-term"
		return 1
	fi
	if [ ! -f "$BOCHS_BIOS" ]; then
		echo "Bochs BIOS $BOCHS_BIOS not found; install the Debian package bochsbios"
		return 1
	fi
	if [ ! -f "$BOCHS_VGABIOS" ]; then
		echo "VGA BIOS $BOCHS_VGABIOS not found; install the Debian package vgabios"
		return 1
	fi
	if [ -z "${XORRISO:-}" ] || ! command -v -- "$XORRISO" >/dev/null 2>&1; then
		echo "xorriso not found; install the Debian package xorriso"
		return 1
	fi
	if ! command -v -- "${GRUB_MKIMAGE:-grub-mkimage}" >/dev/null 2>&1; then
		echo "grub-mkimage not found; install the Debian package grub-common"
		return 1
	fi
	if [ ! -f "${GRUB_PC_DIR:-/usr/lib/grub/i386-pc}/multiboot.mod" ]; then
		echo "GRUB BIOS modules not found in ${GRUB_PC_DIR:-/usr/lib/grub/i386-pc}; install the Debian package grub-pc-bin"
		return 1
	fi
}

# Build (once) the GRUB El Torito image: grub.cfg is read from /boot/grub.
backend_prepare() {
	local dir=$BUILD_DIR/bochs pcdir=${GRUB_PC_DIR:-/usr/lib/grub/i386-pc} tmp
	bochs_probe	# here, in the runner's shell: its boots inherit the answers
	if [ -x "$dir/e9filter" ]; then
		BOCHS_E9FILTER=$dir/e9filter BACKEND_CONSOLE=e9
	fi
	BOCHS_ELTORITO=$dir/eltorito.img
	if [ -s "$BOCHS_ELTORITO" ] && [ "$BOCHS_ELTORITO" -nt "$pcdir/multiboot.mod" ]; then
		return 0
	fi
	mkdir -p "$dir"
	tmp=$(mktemp "$dir/eltorito.img.XXXXXX")
	if ! "${GRUB_MKIMAGE:-grub-mkimage}" -d "$pcdir" -O i386-pc-eltorito -o "$tmp" \
		-p /boot/grub biosdisk iso9660 multiboot normal configfile >"$tmp.log" 2>&1; then
		echo "grub-mkimage failed:" >&2
		cat "$tmp.log" >&2
		rm -f "$tmp" "$tmp.log"
		return 1
	fi
	rm -f "$tmp.log"
	mv -f "$tmp" "$BOCHS_ELTORITO"
}

# bochs_write_rc RCFILE ISO CPU SERIAL_LOG BOCHS_LOG: the one bochsrc of the
# project (run_tests.sh and scripts/iso-smoke.sh): headless, COM1 to a
# file, port 0xE9 to Bochs' stdout, a triple fault panics instead of
# resetting, the guest's "Shutdown" on port 0x8900 ends the run.
# (With ISO "direct:ROM:IMAGE" instead, the machine has no CD: Bochs loads
# the kernel's memory image IMAGE at 1 MiB and the option ROM ROM starts
# it, see bochs_direct.)
bochs_write_rc() {
	local sound='' media
	bochs_probe
	case $2 in
	direct:*)
		local img=${2##*:} n=1 part
		media=${2#direct:}
		media="optromimage1: file=${media%:*}, address=0xd0000"
		# one optramimage per 128-KiB piece (bochs_direct)
		for part in "$img".[0-3]; do
			[ -f "$part" ] || continue
			media+=$'\n'"optramimage$n: file=$part, address=$(printf '0x%x' $((BOCHS_LOAD + (n - 1) * BOCHS_RAM_PIECE)))"
			n=$((n + 1))
		done ;;
	*)
		media="ata0-master: type=cdrom, path=$2, status=inserted"$'\n'"boot: cdrom" ;;
	esac
	# The sound line keeps a Bochs with sound devices off the host's sound
	# system; a Bochs built without them panics on it.
	case "$BOCHS_FEATURES" in
	*" sb16 "*|*" es1370 "*) sound='sound: waveoutdrv=dummy' ;;
	esac
	cat >"$1" <<RC
# generated by eptest (scripts/backends/bochs.sh)
display_library: term
config_interface: textconfig
romimage: file=$BOCHS_BIOS
vgaromimage: file=$BOCHS_VGABIOS
cpu: model=$3, count=1, ips=${EPTEST_BOCHS_IPS:-1000000}, reset_on_triple_fault=0
megs: $BOCHS_MEGS
${media}
com1: enabled=1, mode=file, dev=$4
port_e9_hack: enabled=1
clock: sync=none
speaker: enabled=0
${sound}
log: $5
panic: action=fatal
RC
}

# bochs_drain_screen OUT: Debian's Bochs is built with the debugger, and
# then its 'term' display opens a pseudo-terminal of its own, draws the
# VGA screen there and names it on stderr ('Bochs connected to screen
# "/dev/pts/N"').  Nobody reads that terminal: once its buffer is full,
# Bochs blocks in write() and the machine stops, after as much screen
# output as the buffer holds.  Read it and throw it away.  Run in the
# background; it ends when Bochs closes the terminal.
bochs_drain_screen() {
	local out=$1 pts i
	for ((i = 0; i < 400; i++)); do
		pts=$(sed -n 's/.*Bochs connected to screen "\([^"]*\)".*/\1/p' "$out" 2>/dev/null | head -n 1)
		if [ -n "$pts" ] && [ -e "$pts" ]; then
			exec cat "$pts" >/dev/null 2>&1
		fi
		sleep 0.05
	done
}

backend_describe() { echo "bochs, $1"; }

backend_environment() {
	host_environment
	echo "bochs=$(bochs_version)"
}

# backend_cmdline_extra CPU: the deviation list of this Bochs (none when
# the project has no list for its version) and the CPU model, for entries
# that apply to some models only.
backend_cmdline_extra() {
	local list
	list=$(bochs_deviation_list)
	echo "${list:+deviations=$list} cpu_model=$1"
}

# backend_note: one line about the run, or nothing
backend_note() {
	local v
	[ -z "$(bochs_deviation_list)" ] || return 0
	v=$(bochs_version)
	echo "note: no known-deviation list for Bochs ${v:-of unknown version} (scripts/deviations/bochs-${v:-VERSION}.txt); running with none"
}

# backend_run KERNEL CMDLINE SERIAL_LOG TIMEOUT CPU WORKDIR
backend_run() {
	local kernel=$1 cmdline=$2 serial=$3 timeout=$4 cpu=$5 workdir=$6
	local blog=${serial%.log}.bochs.log out=${serial%.log}.bochs.out media

	rm -f "$blog"
	: >"$serial"
	# The option-ROM boot is known to work on Bochs 2.7; another version
	# (a build from upstream source triple-faults before the kernel runs)
	# boots the GRUB CD unless EPTEST_BOCHS_BOOT=direct asks otherwise.
	local boot=${EPTEST_BOCHS_BOOT:-}
	[ -n "$boot" ] || { [ "$(bochs_version)" = 2.7 ] && boot=direct || boot=grub; }
	if [ "$boot" = direct ] && [ -f "$BUILD_DIR/bochs/optrom.bin" ]; then
		if ! bochs_direct "$kernel" "$cmdline" "$workdir" >"$workdir/direct.log" 2>&1; then
			{ echo "cannot prepare the direct boot:"; cat "$workdir/direct.log"; } >"$blog"
			echo 125 >"$workdir/emu_status"
			return 0
		fi
		media="direct:$workdir/optrom.bin:$workdir/kernel.bin"
	else
		bochs_grub_cd "$kernel" "$cmdline" "$workdir" "$blog" || return 0
		media=$workdir/boot.iso
	fi
	bochs_start "$media" "$cpu" "$serial" "$blog" "$out" "$timeout" "$workdir"
}

# bochs_grub_cd KERNEL CMDLINE WORKDIR BOCHS_LOG: the GRUB CD
# WORKDIR/boot.iso that boots KERNEL with CMDLINE (EPTEST_BOCHS_BOOT=grub)
bochs_grub_cd() {
	local kernel=$1 cmdline=$2 workdir=$3 blog=$4 w q
	local cfg=$workdir/grub.cfg iso=$workdir/boot.iso
	# GRUB script: boot at once, no menu; each word single-quoted.
	local -a words
	read -r -a words <<<"$cmdline" || true
	q=
	for w in "${words[@]}"; do q="$q '$w'"; done
	# gfxpayload=text: the kernel asks for video (for UEFI screens), and
	# Bochs' term display can show VGA text only.
	printf 'set timeout=0\nset gfxpayload=text\nmultiboot /boot/kernel.elf%s\nboot\n' "$q" >"$cfg"
	if ! "$XORRISO" -as mkisofs -quiet -R -o "$iso" -graft-points \
		-b boot/grub/eltorito.img -no-emul-boot -boot-load-size 4 -boot-info-table \
		"boot/grub/eltorito.img=$BOCHS_ELTORITO" "boot/grub/grub.cfg=$cfg" \
		"boot/kernel.elf=$kernel" >"$workdir/xorriso.log" 2>&1; then
		{ echo "xorriso failed to build the boot CD:"; cat "$workdir/xorriso.log"; } >"$blog"
		echo 125 >"$workdir/emu_status"
		return 1
	fi
}

# bochs_le32 N: N as 4 bytes, little-endian
bochs_le32() {
	local v=$1
	printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)))"
}

# bochs_direct KERNEL CMDLINE WORKDIR: WORKDIR/kernel.bin (the kernel's
# memory image from its load address on) and WORKDIR/optrom.bin (the
# loader of scripts/backends/bochs-optrom.S with its parameters, the
# command line and the checksum filled in).  Sets BOCHS_LOAD.
bochs_direct() {
	local kernel=$1 cmdline=$2 wd=$3 tmpl=$BUILD_DIR/bochs/optrom.bin
	local entry load=-1 fend=0 mend=0 type pa fs ms sum
	entry=$(readelf -hW "$kernel" | sed -n 's/.*Entry point address: *//p')
	while read -r type _ _ pa fs ms _; do
		[ "$type" = LOAD ] || continue
		[ $load -ge 0 ] && [ $((pa)) -ge $load ] || load=$((pa))
		[ $((pa + fs)) -le $fend ] || fend=$((pa + fs))
		[ $((pa + ms)) -le $mend ] || mend=$((pa + ms))
	done < <(readelf -lW "$kernel")
	if [ -z "$entry" ] || [ $load -lt 0 ]; then
		echo "$kernel: no entry point or no LOAD segment"
		return 1
	fi
	[ ${#cmdline} -lt 7900 ] || { echo "kernel command line too long (${#cmdline} bytes)"; return 1; }
	BOCHS_LOAD=$(printf '0x%x' $load)
	objcopy -O binary "$kernel" "$wd/kernel.bin" || return 1
	# Bochs 2.7 loads an optramimage into its first 128-KiB block of guest
	# memory only (a larger image arrives cut short): load the image as
	# up to four pieces of that size, each an optramimage of its own.
	rm -f "$wd"/kernel.bin.[0-9]
	split -a 1 -d -b $BOCHS_RAM_PIECE "$wd/kernel.bin" "$wd/kernel.bin." || return 1
	[ ! -e "$wd/kernel.bin.4" ] || {
		echo "$kernel: memory image over $((4 * BOCHS_RAM_PIECE / 1024)) KiB, more than Bochs' four optramimages"
		return 1
	}
	{
		head -c 16 "$tmpl"
		bochs_le32 $((entry))
		bochs_le32 $fend
		bochs_le32 $mend
		# KiB from 1 MiB up to the BIOS's ACPI tables in the last 64 KiB
		bochs_le32 $((BOCHS_MEGS * 1024 - 1024 - 64))
		tail -c +33 "$tmpl"
		printf '%s\0' "$cmdline"
	} >"$wd/optrom.bin"
	truncate -s 8191 "$wd/optrom.bin"
	sum=$(od -An -tu1 -v "$wd/optrom.bin" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print (256 - s % 256) % 256 }')
	printf '%b' "$(printf '\\x%02x' "$sum")" >>"$wd/optrom.bin"
}

# bochs_start MEDIA CPU SERIAL_LOG BOCHS_LOG OUT TIMEOUT WORKDIR: with
# console=e9, SERIAL_LOG gets the kernel's bytes from Bochs' stdout,
# through a FIFO and the filter (a line as soon as it is complete: the
# runner watches the start marks), and COM1, quiet, writes to
# WORKDIR/com1.log; else COM1 writes SERIAL_LOG.  OUT gets Bochs' stderr
# and the rest of its stdout.
bochs_start() {
	local media=$1 cpu=$2 serial=$3 blog=$4 out=$5 timeout=$6 workdir=$7
	local rc=0 pid drain filt='' rc_file=$workdir/bochsrc stdout=$5 com1=$3

	rm -f "$out"
	: >"$out"
	if [ "$BACKEND_CONSOLE" = e9 ]; then
		stdout=$workdir/e9.fifo com1=$workdir/com1.log
		rm -f "$stdout"
		mkfifo "$stdout"
		"$BOCHS_E9FILTER" <"$stdout" >"$serial" 2>>"$out" &
		filt=$!
	fi
	bochs_write_rc "$rc_file" "$media" "$cpu" "$com1" "$blog"
	printf 'continue\nquit\n' >"$workdir/bochs.cmds"
	# Away from any terminal (setsid), with a TERM curses knows; Bochs
	# ignores SIGTERM.  Its screen terminal is drained (above).
	bochs_drain_screen "$out" &
	drain=$!
	TERM=vt100 setsid timeout -s KILL "$timeout" "$BOCHS" -q -f "$rc_file" \
		${BOCHS_DEBUGGER:+-rc "$workdir/bochs.cmds"} </dev/null >>"$stdout" 2>>"$out" &
	pid=$!
	echo "$pid" >"$workdir/pid"
	wait "$pid" 2>/dev/null || rc=$?
	[ -z "$filt" ] || wait "$filt" 2>/dev/null || true
	kill "$drain" 2>/dev/null || true
	wait "$drain" 2>/dev/null || true
	[ -z "$filt" ] || rm -f "$stdout"
	echo "$rc" >"$workdir/emu_status"
}

# backend_diagnose SERIAL_LOG: the lines of the Bochs log that explain a crash
backend_diagnose() {
	local blog=${1%.log}.bochs.log out=${1%.log}.bochs.out
	if [ -f "$blog" ]; then
		if grep -q 'Shutdown port: shutdown requested' "$blog"; then
			echo "bochs: the kernel wrote Shutdown to port 0x8900 (it exited)"
		fi
		if grep -q -E '3rd \([0-9]+\) exception with no resolution' "$blog"; then
			echo "bochs: triple fault (a 3rd exception while delivering a double fault)"
		fi
		grep -a -v 'Shutdown port' "$blog" | grep -a -E '>>PANIC<<|\[CPU[0-9]* *\] .*(exception|triple)|[0-9]e\[' | tail -n 5 || true
	elif [ -f "$out" ]; then
		grep -a -E 'PANIC|Error|error' "$out" | tail -n 5 || true
	fi
}

# Bochs' exit status says nothing about the test result.
backend_exit_meaning() { echo other; }
