#!/bin/bash
# eptest runner: runs the tests listed in unittests.cfg under an emulator
# backend, many tests per boot (batches, docs/CONTRACT.md) or one boot per
# test (--isolate), reads their TAP output from the serial log and reports.
# See README.md.  Exit: 0 nothing failed, 1 a failure/crash, 2 usage.
set -euo pipefail

PROG=run_tests.sh
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SRCDIR

usage() {
	cat <<'EOF'
Usage: ./run_tests.sh [OPTION]... [TEST|GLOB]...

Run the eptest kernels listed in unittests.cfg.  TEST and GLOB select
sections of the config by name (e.g. 'ept_*'); without any, all run.

Options:
  -b, --backend B   auto (default), kvm, bochs or tcg.  auto: kvm when
                    its preflight passes (VMX, /dev/kvm, kvm_intel nested
                    and ept), else bochs when installed, else tcg
  -g, --group G     only tests whose groups= contains G (sections in group
                    nodefault run only when named or selected by -g)
  -j, --jobs N      run N boots in parallel (default: nproc)
      --isolate     one boot per test (default: batches of tests per boot)
  -v, --verbose     stream each test's serial log while it runs (to stderr
                    with -t); say which tests the backend excludes
  -l, --list        list the selected tests (file, groups, backends) and
                    exit without running anything
  -t, --tap         print one TAP version 13 stream for the whole run
      --junit FILE  also write JUnit XML to FILE (one testcase per check)
      --html FILE   also write an HTML report to FILE (scripts/report)
      --config FILE read FILE instead of unittests.cfg ($EPTEST_CONFIG)
      --logdir DIR  write logs to DIR instead of logs/ ($EPTEST_LOGDIR)
      --host-pages P  back guest memory with 4k, 2m or 1g host pages (kvm
                    and tcg; 2m and 1g need reserved huge pages)
      --kernel-args A  append the words A to every kernel command line,
                    after $EPTEST_KERNEL_ARGS (e.g. 'require_vmx=1')
  -h, --help        show this help

Logs: logs/NAME.log (the test's serial output), logs/boot/ (each boot's
serial and emulator logs), logs/durations (for balancing batches).
Exit status: 0 nothing failed, 1 a check failed or a test crashed, hung
or printed no SUMMARY line, 2 usage or setup error.
EOF
}

die() { echo "$PROG: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] || die "option '$1' needs an argument (try -h)"; }

# ---------------------------------------------------------------- options
backend=auto group='' verbose=0 list=0 tap=0 junit='' html='' isolate=0
host_pages='' kernel_args=${EPTEST_KERNEL_ARGS:-}
jobs=$(nproc 2>/dev/null || echo 1)
config=${EPTEST_CONFIG:-$SRCDIR/unittests.cfg}
logdir=${EPTEST_LOGDIR:-$SRCDIR/logs}
BUILD_DIR=${EPTEST_BUILD_DIR:-$SRCDIR/build}
patterns=()

while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-b|--backend) need_arg "$@"; backend=$2; shift ;;
	--backend=*) backend=${1#*=} ;;
	-b?*) backend=${1#-b} ;;
	-g|--group) need_arg "$@"; group=$2; shift ;;
	--group=*) group=${1#*=} ;;
	-j|--jobs) need_arg "$@"; jobs=$2; shift ;;
	--jobs=*) jobs=${1#*=} ;;
	-j?*) jobs=${1#-j} ;;
	-v|--verbose) verbose=1 ;;
	-l|--list) list=1 ;;
	-t|--tap) tap=1 ;;
	--isolate) isolate=1 ;;
	--junit) need_arg "$@"; junit=$2; shift ;;
	--junit=*) junit=${1#*=} ;;
	--html) need_arg "$@"; html=$2; shift ;;
	--html=*) html=${1#*=} ;;
	--config) need_arg "$@"; config=$2; shift ;;
	--config=*) config=${1#*=} ;;
	--logdir) need_arg "$@"; logdir=$2; shift ;;
	--logdir=*) logdir=${1#*=} ;;
	--host-pages) need_arg "$@"; host_pages=$2; shift ;;
	--host-pages=*) host_pages=${1#*=} ;;
	--kernel-args) need_arg "$@"; kernel_args="$kernel_args $2"; shift ;;
	--kernel-args=*) kernel_args="$kernel_args ${1#*=}" ;;
	--) shift; patterns+=("$@"); break ;;
	-*) die "unknown option '$1' (try -h)" ;;
	*) patterns+=("$1") ;;
	esac
	shift
done

case "$backend" in
auto|kvm|bochs|tcg) ;;
*) die "unknown backend '$backend' (want auto, kvm, bochs or tcg)" ;;
esac
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "-j wants a number >= 1, got '$jobs'"
case "${host_pages,,}" in
''|4k|2m|1g) EPTEST_HOST_PAGES=${host_pages,,} ;;
*) die "--host-pages: want 4k, 2m or 1g, got '$host_pages'" ;;
esac
read -r -a kwords <<<"$kernel_args" || true
kernel_args="${kwords[*]}"
[[ "$kernel_args" =~ ^[][A-Za-z0-9_.,=*?+:@/\ -]*$ ]] ||
	die "kernel arguments '$kernel_args' contain a character other than letters, digits, spaces and _.,=*?+:@/[]-"
EPTEST_KERNEL_ARGS=$kernel_args
export EPTEST_HOST_PAGES EPTEST_KERNEL_ARGS
[ -z "$group" ] || [[ "$group" =~ ^[A-Za-z0-9_.+-]+$ ]] || die "bad group name '$group'"
[ -n "$junit" ] && [ -d "$junit" ] && die "--junit: '$junit' is a directory"
if [ -n "$junit" ] && [ ! -d "$(dirname -- "$junit")" ]; then
	die "--junit: directory '$(dirname -- "$junit")' does not exist"
fi
if [ -n "$html" ] && { [ -d "$html" ] || [ ! -d "$(dirname -- "$html")" ]; }; then
	die "--html: '$html' is a directory or its directory does not exist"
fi

# ---------------------------------------------------------- config.mak
# Tool paths: environment first, then config.mak, then the plain names.
cfg_keys=" QEMU BOCHS XORRISO GRUB_MKIMAGE GRUB_MKRESCUE GRUB_PC_DIR GRUB_EFI_DIR OVMF_CODE "
if [ -f "$SRCDIR/config.mak" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in \#*|'') continue ;; esac
		k=${line%%=*} v=${line#*=}
		case "$cfg_keys" in *" $k "*) ;; *) continue ;; esac
		[ -n "${!k:-}" ] || printf -v "$k" '%s' "$v"
	done <"$SRCDIR/config.mak"
fi
QEMU=${QEMU:-qemu-system-x86_64}
BOCHS=${BOCHS:-bochs}
XORRISO=${XORRISO:-xorriso}
GRUB_MKIMAGE=${GRUB_MKIMAGE:-grub-mkimage}
GRUB_PC_DIR=${GRUB_PC_DIR:-/usr/lib/grub/i386-pc}
export QEMU BOCHS XORRISO GRUB_MKIMAGE GRUB_PC_DIR BUILD_DIR

# ------------------------------------------------------ unittests.cfg
[ -f "$config" ] || die "config file '$config' not found"
cfg_out=$(awk -f "$SRCDIR/scripts/cfg.awk" "$config") || exit 2
[ -n "$cfg_out" ] || die "$config: no test sections"

# A list of Bochs CPU models makes one entry per model: the first keeps
# the section's name and backends, the others are NAME@MODEL on bochs only.
names=() files=() params=() groups=() timeouts=() backends=() cpus=()
while IFS=$'\037' read -r n f p g t b c _; do
	nm=$n bk=$b
	for cpu in $c; do
		if [ "$nm" != "$n" ] || [ "$cpu" != "${c%% *}" ]; then
			[[ " $b " == *" bochs "* ]] || break
			nm="$n@$cpu" bk=bochs
		fi
		names+=("$nm") files+=("$f") params+=("$p") groups+=("$g")
		timeouts+=("$t") backends+=("$bk") cpus+=("$cpu")
	done
done <<<"$cfg_out"
ntests=${#names[@]}

# ----------------------------------------------------------- selection
selected=()
for ((i = 0; i < ntests; i++)); do sel[i]=0; done
if [ ${#patterns[@]} -eq 0 ]; then
	# Sections in group "nodefault" (the fuzzer's long passes) run only
	# when named, or selected by -g with one of their groups.
	for ((i = 0; i < ntests; i++)); do
		if [ -z "$group" ] && [[ " ${groups[i]} " == *" nodefault "* ]]; then
			sel[i]=0
		else
			sel[i]=1
		fi
	done
else
	for pat in "${patterns[@]}"; do
		hit=0
		for ((i = 0; i < ntests; i++)); do
			# shellcheck disable=SC2053  # glob match on purpose
			if [[ ${names[i]} == $pat ]]; then sel[i]=1; hit=1; fi
		done
		[ $hit = 1 ] || die "no test in $config matches '$pat' (try -l)"
	done
fi
if [ -n "$group" ]; then
	hit=0
	for ((i = 0; i < ntests; i++)); do
		if [[ " ${groups[i]} " == *" $group "* ]]; then
			[ "${sel[i]}" = 1 ] && hit=1
		else
			sel[i]=0
		fi
	done
	[ $hit = 1 ] || die "no selected test is in group '$group' in $config"
fi
for ((i = 0; i < ntests; i++)); do
	[ "${sel[i]}" = 1 ] && selected+=("$i")
done

# ------------------------------------------------------------- backend
# probe NAME: true when backend NAME passes its check (in a subshell)
probe() {
	(
		# shellcheck source=/dev/null
		. "$SRCDIR/scripts/backends/$1.sh"
		backend_check >/dev/null
	)
}
if [ "$backend" = auto ]; then
	if probe kvm; then backend=kvm
	elif probe bochs; then backend=bochs
	else backend=tcg
	fi
fi
BACKEND=$backend
export BACKEND
# shellcheck source=/dev/null
. "$SRCDIR/scripts/backends/$backend.sh"

runs_on() { [[ " ${backends[$1]} " == *" $backend "* ]]; }

if [ $list = 1 ]; then
	printf '%-24s %-28s %-12s %-16s %s\n' NAME FILE GROUPS BACKENDS "ON $backend"
	for i in "${selected[@]}"; do
		on=yes
		runs_on "$i" || on="no (backends=${backends[i]// /,})"
		if [ "$backend" = bochs ] && runs_on "$i"; then on="yes (${cpus[i]})"; fi
		printf '%-24s %-28s %-12s %-16s %s\n' "${names[i]}" "${files[i]}" \
			"${groups[i]:--}" "${backends[i]// /,}" "$on"
		[ -z "${params[i]}" ] || printf '%-24s extra_params: %s\n' "" "${params[i]}"
	done
	exit 0
fi

if ! msg=$(backend_check); then
	die "$msg"
fi

torun=() notrun=()
for i in "${selected[@]}"; do
	if runs_on "$i"; then torun+=("$i"); else notrun+=("$i"); fi
done
for i in "${torun[@]}"; do
	[ -f "$BUILD_DIR/${files[i]}" ] ||
		die "kernel $BUILD_DIR/${files[i]} (test ${names[i]}) not found; run make first"
done

# ------------------------------------------------------------ the plan
# build/x86/tests.idx (scripts/gen-test-index.sh): "KERNEL ALL-KERNEL
# NAME...": which TEST() names a kernel has, and the kernel that links
# them with others.  A section is batched when its kernel is indexed, the
# all-kernel is built and its extra_params are test-name globs only (they
# select among the kernel's names); sections whose extra_params carry
# options share boots only with sections of the same options.
declare -A idx_all=() idx_names=()
if [ -f "$BUILD_DIR/x86/tests.idx" ]; then
	while read -r k a rest; do
		idx_all[$k]=$a idx_names[$k]=$rest
	done <"$BUILD_DIR/x86/tests.idx"
fi
declare -A dur=()
if [ -f "$logdir/durations" ]; then
	while IFS=$'\t' read -r b n sec; do
		[ "$b" = "$backend" ] && dur[$n]=$sec
	done <"$logdir/durations"
fi
# est NAME: the last recorded duration of a test, else a guess
est() { echo "${dur[$1]:-${dur[@default]:-1}}"; }
boot_est=${dur[@boot]:-}
if [ -z "$boot_est" ]; then
	case $backend in bochs) boot_est=1.5 ;; *) boot_est=0.3 ;; esac
fi

tnames=() eopts=()
declare -A taken=()
planin=''
for i in "${torun[@]}"; do
	opts=() globs=() tl=''
	read -r -a words <<<"${params[i]}" || true
	for w in "${words[@]}"; do
		case $w in *=*) opts+=("$w") ;; *) globs+=("$w") ;; esac
	done
	eopts[i]="${opts[*]}"
	a=${idx_all[${files[i]}]:-}
	if [ $isolate = 0 ] && [ -n "$a" ] && [ -f "$BUILD_DIR/$a" ]; then
		for n in ${idx_names[${files[i]}]}; do
			if [ ${#globs[@]} -eq 0 ]; then tl="$tl $n"; continue; fi
			for g in "${globs[@]}"; do
				# shellcheck disable=SC2053  # glob match on purpose
				if [[ $n == $g ]]; then tl="$tl $n"; break; fi
			done
		done
	fi
	tnames[i]=${tl# }
	key="iso$i"
	if [ -n "${tnames[i]}" ]; then
		key="${cpus[i]}|$a|${eopts[i]}"
		# a test name twice in one boot: this section boots alone
		for n in ${tnames[i]}; do
			[ -z "${taken[$key|$n]:-}" ] || key="$key|#$i"
		done
		for n in ${tnames[i]}; do taken[$key|$n]=1; done
	fi
	e=0
	for n in ${tnames[i]:-${names[i]}}; do e=$(awk -v a="$e" -v b="$(est "$n")" 'BEGIN { print a + b }'); done
	planin+="${key// /_} $i $e"$'\n'
done

# units: one boot each (plus the boots that resume after a crash)
unit_entries=() unit_kernel=() unit_opts=() unit_cpu=() unit_id=()
while read -r u i; do
	[ -n "$u" ] || continue
	if [ -z "${unit_entries[u]:-}" ]; then
		unit_cpu[u]=${cpus[i]}
		if [ -n "${tnames[i]}" ]; then
			unit_kernel[u]=${idx_all[${files[i]}]} unit_opts[u]=${eopts[i]}
			unit_id[u]=$backend-$u
			[ "$backend" != bochs ] || unit_id[u]=$backend-${cpus[i]}-$u
		else
			unit_kernel[u]=${files[i]} unit_opts[u]=${params[i]} unit_id[u]=${names[i]}
		fi
	fi
	unit_entries[u]="${unit_entries[u]:-} $i"
done < <(printf '%s' "$planin" | awk -v jobs="$jobs" -v boot="$boot_est" -f "$SRCDIR/scripts/batch-plan.awk")
nunits=${#unit_entries[@]}

vout=1
[ $tap = 1 ] && vout=2
if [ $verbose = 1 ]; then
	for i in "${notrun[@]}"; do
		echo "not run: ${names[i]} (backends=${backends[i]}, backend is $backend)" >&$vout
	done
fi

mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)
rm -rf "${logdir:?}/boot"
mkdir -p "$logdir/boot"
backend_prepare || die "backend $backend: preparation failed"
# key=value lines naming host, emulator and CPU: for -t, JUnit, the logs
environment=$(backend_environment 2>/dev/null || true)
printf '%s\n' "$environment" >"$logdir/environment.txt"
note=$(backend_note)
[ -z "$note" ] || echo "$note" >&2

TMPW=$(mktemp -d "${TMPDIR:-/tmp}/eptest.XXXXXX")

# Kill every emulator still running (each runs in its own process group).
kill_all() {
	local f p
	for f in "$TMPW"/u*/b*/pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f" 2>/dev/null) || continue
		[ -n "$p" ] || continue
		kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
	done
}
cleanup() {
	kill_all
	[ -n "${EPTEST_KEEP_TMP:-}" ] || rm -rf "$TMPW"
}
trap cleanup EXIT
trap 'trap - INT; kill_all; wait 2>/dev/null; echo "$PROG: interrupted" >&2; exit 130' INT
trap 'trap - TERM; kill_all; wait 2>/dev/null; echo "$PROG: terminated" >&2; exit 143' TERM

# Milliseconds and short sleeps without a process each: the runner polls.
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
set_now() { local t=${EPOCHREALTIME/[.,]/}; now=$((t / 1000)); }
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }

serial_rel=$logdir
case "$logdir" in "$PWD"/*) serial_rel=${logdir#"$PWD"/} ;; esac

# ------------------------------------------------------------- one boot
# watch_boot BPID SERIAL BWD PAIR...: follow the marks of a running boot
# (PAIR: ENTRY:TEST, or ENTRY:* for an isolated section) and kill it when
# the test that runs has used up its section's timeout=, counted from its
# start mark (the first from the boot; an isolated section: the whole
# boot).  Writes BWD/events: "boot MS", "start NAME MS", "sum NAME MS",
# "end MS", "kill NAME SECONDS".
watch_boot() {
	local bpid=$1 serial=$2 bwd=$3
	shift 3
	local -a pairs=("$@")
	local -A tto=() tnext=() tsec=()
	local t0 now clock m name='' to alive wild=0 p k e n pid sfd part=''
	for ((k = 0; k < ${#pairs[@]}; k++)); do
		p=${pairs[k]} e=${p%%:*} n=${p#*:}
		tto[$n]=${timeouts[e]} tsec[$n]=${names[e]}
		[ $k -eq 0 ] || tnext[${pairs[k - 1]#*:}]=$n
	done
	[[ ${pairs[0]} == *:\* ]] && wild=1
	n=${pairs[0]#*:}
	to=${tto[$n]}
	t0=$(now_ms)
	clock=$t0
	echo "boot $t0" >"$bwd/events"
	# The serial log is read as it grows, on one descriptor, a complete
	# line at a time (a line still being written waits in $part).
	exec {sfd}<"$serial"
	while :; do
		alive=0
		kill -0 "$bpid" 2>/dev/null && alive=1
		set_now
		while :; do
			m=
			if ! IFS= read -r -u "$sfd" m; then
				part+=$m
				break
			fi
			m=$part$m part=
			case $m in
			"# eptest: test "*)
				name=${m#"# eptest: test "} name=${name%$'\r'}
				echo "start $name $now" >>"$bwd/events"
				echo "$now ${tsec[$name]:-${tsec[*]:0:1}}" >"$bwd/current"
				if [ $wild = 0 ]; then clock=$now to=${tto[$name]:-$to}; fi ;;
			"eptest: SUMMARY "*)
				echo "sum $name $now" >>"$bwd/events"
				if [ $wild = 0 ]; then clock=$now n=${tnext[$name]:-}; [ -z "$n" ] || to=${tto[$n]:-$to}; fi ;;
			"eptest: END"*) echo "end $now" >>"$bwd/events" ;;
			esac
		done
		[ $alive = 1 ] || break
		if [ $((now - clock)) -ge $((to * 1000)) ]; then
			pid=$(cat "$bwd/pid" 2>/dev/null || true)
			if [ -n "$pid" ]; then
				kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
			fi
			[ $wild = 1 ] && name='*'
			echo "kill ${name:-${pairs[0]#*:}} $to" >>"$bwd/events"
			wait "$bpid" 2>/dev/null || true
			break
		fi
		nap 0.25
	done
	exec {sfd}<&-
	echo "done $(now_ms)" >>"$bwd/events"
}

# finish_entry ENTRY BOOT-SERIAL [CRASH-REASON]: the result of a section
# from the documents gathered in $TMPW/eENTRY/ (doc.1, doc.2, ...).
finish_entry() {
	local i=$1 serial=$2 reason=${3:-} ewd=$TMPW/e$1 name=${names[$1]} docs=() status p f s t x k
	local log=$logdir/${names[$1]}.log
	for ((k = 1; ; k++)); do
		[ -f "$ewd/doc.$k" ] || break
		docs+=("$ewd/doc.$k")
	done
	cat "$ewd/pre" "${docs[@]}" >"$log" 2>/dev/null || true
	awk -v sumfile="$ewd/sum" -v incfile="$ewd/inc" -f "$SRCDIR/scripts/tap-check.awk" \
		"${docs[@]:-/dev/null}" >"$ewd/body"
	read -r p f s t x <"$ewd/sum"
	if [ -n "$reason" ]; then
		status=CRASH
		echo "$reason" >"$ewd/reason"
		{
			echo "not ok - $name: crashed or hung"
			echo "# $reason"
			backend_diagnose "$serial" | sed 's/^/# /'
			if [ -s "$log" ]; then
				echo "# last lines of $serial_rel/$name.log:"
				tr -c '\n[:print:]\t' '?' <"$log" | tail -n 10 | sed 's/^/#   /'
			else
				echo "# $serial_rel/$name.log is empty: the kernel printed nothing"
			fi
			echo "# boot: $serial_rel/boot/$(basename "$serial")"
		} >>"$ewd/body"
	elif [ -s "$ewd/inc" ]; then
		status=FAIL
		{
			echo "not ok - $name: inconsistent output"
			sed 's/^/# /' "$ewd/inc"
		} >>"$ewd/body"
	elif [ "$f" -gt 0 ]; then status=FAIL
	elif [ "$p" -eq 0 ] && [ "$t" -eq 0 ] && [ "$x" -eq 0 ]; then status=SKIP
	else status=PASS
	fi
	echo "$status" >"$ewd/status"
	touch "$ewd/done"
}

# run_unit UNIT: boot the unit's kernel with the names of its tests; after
# a crash or hang, report that test and boot again with the ones after it.
run_unit() {
	local u=$1 uwd=$TMPW/u$1 kernel=$BUILD_DIR/${unit_kernel[$1]} cpu=${unit_cpu[$1]}
	local -a pairs=() newp=() words=()
	local -A ndoc=()
	local attempt=0 i n bid bwd serial cmdline hard bpid tailpid st killed k nm sm crash
	local progress ended last_e first_e reason dead p e ts te
	for i in ${unit_entries[u]}; do
		mkdir -p "$TMPW/e$i"
		if [ -n "${tnames[i]}" ]; then
			for n in ${tnames[i]}; do pairs+=("$i:$n"); done
		else
			pairs+=("$i:*")
		fi
	done
	mkdir -p "$uwd"
	while [ ${#pairs[@]} -gt 0 ]; do
		attempt=$((attempt + 1))
		bid=${unit_id[u]}
		[ $attempt -eq 1 ] || bid="$bid.$attempt"
		bwd=$uwd/b$attempt serial=$logdir/boot/$bid.log
		mkdir -p "$bwd"
		cmdline="${unit_opts[u]} $(backend_cmdline_extra "$cpu") console=${BACKEND_CONSOLE:-serial} ${EPTEST_KERNEL_ARGS:-}"
		hard=30 last_e=
		for p in "${pairs[@]}"; do
			e=${p%%:*} n=${p#*:}
			[ "$n" = '*' ] || cmdline="$cmdline $n"
			[ "$e" = "$last_e" ] && [ "$n" = '*' ] && continue
			hard=$((hard + timeouts[e])) last_e=$e
		done
		read -r -a words <<<"$cmdline" || true
		cmdline="${words[*]}"
		rm -f "$logdir/boot/$bid".*
		: >"$serial"
		tailpid=
		if [ $verbose = 1 ]; then
			local map='' 
			for p in "${pairs[@]}"; do map="$map ${p#*:}=${names[${p%%:*}]}"; done
			tail -n +1 -F -s 0.2 "$serial" 2>/dev/null > >(awk -v map="$map" -v def="${names[${pairs[0]%%:*}]}" '
				BEGIN { n = split(map, m, " "); for (i = 1; i <= n; i++) { split(m[i], kv, "="); sec[kv[1]] = kv[2] }; cur = def }
				{ gsub(/\r/, "") }
				/^# eptest: test / && ($4 in sec) { cur = sec[$4] }
				{ print cur ": " $0; fflush() }' >&$vout) &
			tailpid=$!
		fi
		( backend_run "$kernel" "$cmdline" "$serial" "$hard" "$cpu" "$bwd" ) &
		bpid=$!
		watch_boot "$bpid" "$serial" "$bwd" "${pairs[@]}"
		wait "$bpid" 2>/dev/null || true
		if [ -n "$tailpid" ]; then
			sleep 0.3
			kill "$tailpid" 2>/dev/null || true
			wait "$tailpid" 2>/dev/null || true
		fi
		rm -f "$bwd/pid"
		st=$(cat "$bwd/emu_status" 2>/dev/null || echo 125)
		killed=$(sed -n 's/^kill //p' "$bwd/events")
		awk -v dir="$bwd" -f "$SRCDIR/scripts/tap-split.awk" "$serial"
		ended=0
		[ -s "$bwd/end" ] && ended=1
		if [ "$killed" ]; then
			reason="timed out after ${killed#* } s without a SUMMARY line"
		elif [ "$st" = 125 ]; then
			reason="$BACKEND could not start (see $serial_rel/boot/$bid.$BACKEND.log)"
		elif [ "$st" = 0 ] && [ "$BACKEND" != bochs ]; then
			reason="guest reset (triple fault?) before the SUMMARY line: QEMU exited with status 0"
		else
			reason="$BACKEND exited with status $st before the SUMMARY line"
		fi
		# per test: its document, whether it got to its SUMMARY, its time
		local -A dnum=() dsum=() tstart=() tsum=()
		while read -r k nm sm; do dnum[$nm]=$k dsum[$nm]=$sm; done <"$bwd/docs"
		while read -r k nm ts; do
			case $k in start) tstart[$nm]=$ts ;; sum) tsum[$nm]=$ts ;; esac
		done <"$bwd/events"
		te=$(sed -n 's/^done //p' "$bwd/events")
		first_e=$(sed -n 's/^start [^ ]* //p' "$bwd/events" | head -n 1)
		echo "$bid ${first_e:-$te} $(sed -n 's/^boot //p' "$bwd/events") $te" >>"$uwd/boots"
		progress=0 crash='' dead='' newp=()
		for ((k = 0; k < ${#pairs[@]}; k++)); do
			p=${pairs[k]} e=${p%%:*} n=${p#*:}
			[ "$e" != "$dead" ] || continue
			[ -f "$TMPW/e$e/pre" ] || cp "$bwd/pre" "$TMPW/e$e/pre"
			if [ "$n" = '*' ]; then
				# an isolated section: every document of the boot
				local nd=0 nsum=0 j nm=''
				while read -r j nm sm; do
					nd=$((nd + 1)) nsum=$((nsum + sm))
					cp "$bwd/doc.$j" "$TMPW/e$e/doc.$nd"
					[ -z "${tsum[$nm]:-}" ] || echo $(( ${tsum[$nm]} - ${tstart[$nm]:-${tsum[$nm]}} )) >>"$TMPW/e$e/ms"
				done <"$bwd/docs"
				if [ $ended = 1 ] || { [ $nd -gt 0 ] && [ $nsum -eq $nd ] && [ -z "$killed" ]; }; then
					finish_entry "$e" "$serial"
				else
					# (no document at all: no name to time)
					[ -n "$nm" ] && [ -n "${tstart[$nm]:-}" ] && echo $((te - ${tstart[$nm]})) >>"$TMPW/e$e/ms"
					finish_entry "$e" "$serial" "$reason"
				fi
				continue
			fi
			if [ "${dsum[$n]:-0}" = 1 ] && [ -z "$crash" ]; then
				ndoc[$e]=$((${ndoc[$e]:-0} + 1)) j=${ndoc[$e]}
				cp "$bwd/doc.${dnum[$n]}" "$TMPW/e$e/doc.$j"
				echo $(( ${tsum[$n]:-0} - ${tstart[$n]:-${tsum[$n]:-0}} )) >>"$TMPW/e$e/ms"
				progress=1
				# the last test of its section: the section is done
				if [ $((k + 1)) -ge ${#pairs[@]} ] || [ "${pairs[k + 1]%%:*}" != "$e" ]; then
					finish_entry "$e" "$serial"
				fi
				continue
			fi
			if [ -z "$crash" ] && { [ -n "${dnum[$n]:-}" ] || [ -n "$killed" ] || [ $progress = 0 ] || [ $ended = 1 ]; }; then
				crash=$n
				if [ -n "${dnum[$n]:-}" ]; then
					ndoc[$e]=$((${ndoc[$e]:-0} + 1)) j=${ndoc[$e]}
					cp "$bwd/doc.${dnum[$n]}" "$TMPW/e$e/doc.$j"
					[ -z "${tstart[$n]:-}" ] || echo $((te - ${tstart[$n]})) >>"$TMPW/e$e/ms"
				fi
				if [ $ended = 1 ] && [ -z "${dnum[$n]:-}" ]; then
					finish_entry "$e" "$serial" "the kernel did not run test $n (no start mark before the end mark)"
				else
					finish_entry "$e" "$serial" "$reason"
				fi
				dead=$e
				continue
			fi
			newp+=("$p")
		done
		if [ $ended = 1 ] && [ "$BACKEND" != bochs ]; then
			case "$(backend_exit_meaning "$st")" in
			pass) grep -q ' failed=0' "$bwd/end" || echo "# note: $BACKEND exit status $st says no failure, the end mark says otherwise" >>"$uwd/notes" ;;
			fail) grep -q ' failed=0' "$bwd/end" && echo "# note: $BACKEND exit status $st says failure, the end mark says failed=0" >>"$uwd/notes" ;;
			esac
		fi
		pairs=("${newp[@]}")
	done
	touch "$uwd/done"
}

# ---------------------------------------------------------------- report
n_pass=0 n_fail=0 n_skip=0 n_crash=0 c_pass=0 c_fail=0 c_skip=0 c_todo=0 c_xpass=0 tapno=0
[ $tap = 1 ] && echo "TAP version 13" && printf '%s\n' "$environment" | sed 's/^/# environment: /'

fmt_ms() { printf '%d.%d s' $(($1 / 1000)) $(($1 % 1000 / 100)); }

report_one() {
	local i=$1 wd=$TMPW/e$1 status p=0 f=0 s=0 t=0 x=0 desc ms=0 m
	local name=${names[i]}
	desc=$(backend_describe "${cpus[i]}")
	if [ -f "$wd/done" ]; then
		status=$(cat "$wd/status")
	else
		status=CRASH
		mkdir -p "$wd"
		echo "internal error: the runner's job for $name died" >"$wd/reason"
		echo "not ok - $name: crashed or hung" >"$wd/body"
		echo "# internal error: the runner's job died" >>"$wd/body"
	fi
	[ -s "$wd/sum" ] && read -r p f s t x <"$wd/sum"
	if [ -f "$wd/ms" ]; then
		while read -r m; do ms=$((ms + m)); done <"$wd/ms"
	fi
	echo "$ms" >"$wd/msum"
	c_pass=$((c_pass + p)) c_fail=$((c_fail + f)) c_skip=$((c_skip + s)) c_todo=$((c_todo + t)) c_xpass=$((c_xpass + x))
	echo "$name	$desc	$status	$ms" >"$wd/meta"
	case "$status" in
	PASS) n_pass=$((n_pass + 1)) ;;
	SKIP) n_skip=$((n_skip + 1)) ;;
	FAIL) n_fail=$((n_fail + 1)) ;;
	CRASH) n_crash=$((n_crash + 1)) ;;
	esac
	if [ $tap = 1 ]; then
		echo "# test: $name ($desc)"
		awk -v n="$tapno" '
		/^(not )?ok( [0-9]+)? - / {
			n++
			st = ($0 ~ /^not /) ? "not ok" : "ok"
			d = $0; sub(/^(not )?ok( [0-9]+)? - /, "", d)
			print st " " n (d == "" ? "" : " - " d)
			next
		}
		{ print }
		END { print n > "/dev/stderr" }' "$wd/body" 2>"$wd/tapno"
		tapno=$(cat "$wd/tapno")
		[ "$status" = CRASH ] || echo "# $name: SUMMARY pass=$p fail=$f skip=$s todo=$t xpass=$x"
		return 0
	fi
	case "$status" in
	CRASH)
		echo "FAIL $name (crashed or hung: $(cat "$wd/reason")) after $(fmt_ms "$ms")"
		awk 'found > 1 { print "    " $0 } found { found++ } /^not ok - .*: crashed or hung$/ { found = 1 }' "$wd/body"
		;;
	*)
		if [ -s "$wd/inc" ]; then
			echo "FAIL $name (inconsistent output: $(paste -s -d ';' "$wd/inc" | sed 's/;/; /g')) in $(fmt_ms "$ms")"
		else
			echo "$status $name ($p pass, $f fail, $s skip, $t todo, $x xpass) in $(fmt_ms "$ms")"
		fi
		if [ "$status" = FAIL ]; then
			# the failed checks (not TODO) with their diagnostics
			awk '
			/^(not )?ok( [0-9]+)? - / {
				show = ($0 ~ /^not ok/ && $0 !~ /#[ \t]*[Tt][Oo][Dd][Oo]/)
				if (show) print "    " $0
				next
			}
			/^# eptest: test / { show = 0 }
			show { print "    " $0 }' "$wd/body"
			echo "    log: $serial_rel/$name.log"
		fi
		;;
	esac
}

# Start the boots, costliest first, up to $jobs at a time; report the
# sections in config order as they finish.
ntorun=${#torun[@]}
progress_tty=0
[ $tap = 0 ] && [ $verbose = 0 ] && [ -t 1 ] && progress_tty=1
declare -A upid=()
launched=0 reported=0 t_run0=$(now_ms)
while [ $reported -lt "$ntorun" ]; do
	for u in "${!upid[@]}"; do
		if ! kill -0 "${upid[$u]}" 2>/dev/null; then
			wait "${upid[$u]}" 2>/dev/null || true
			unset "upid[$u]"
		fi
	done
	while [ $launched -lt "$nunits" ] && [ ${#upid[@]} -lt "$jobs" ]; do
		launched=$((launched + 1))
		( set +e; run_unit "$launched" ) &
		upid[$launched]=$!
	done
	progressed=0
	while [ $reported -lt "$ntorun" ] && [ -f "$TMPW/e${torun[reported]}/done" ]; do
		[ $progress_tty = 0 ] || printf '\r\033[K'
		last_prog=
		report_one "${torun[reported]}"
		reported=$((reported + 1)) progressed=1
	done
	[ $reported -lt "$ntorun" ] || break
	if [ ${#upid[@]} -eq 0 ] && [ $launched -ge "$nunits" ]; then
		# every boot is over and this section has no result: its job died
		[ $progress_tty = 0 ] || printf '\r\033[K'
		report_one "${torun[reported]}"
		reported=$((reported + 1))
		continue
	fi
	if [ $progress_tty = 1 ]; then
		# [finished/all] the test that started last
		cur=$(cat "$TMPW"/u*/b*/current 2>/dev/null | sort -n | tail -n 1 || true)
		nfin=0
		for f in "$TMPW"/e*/done; do [ ! -f "$f" ] || nfin=$((nfin + 1)); done
		[ -n "$cur" ] || cur="0 booting"
		prog=$(printf '[%d/%d] %s ...' "$nfin" "$ntorun" "${cur#* }")
		[ "$prog" = "${last_prog:-}" ] || printf '\r\033[K%s' "$prog"
		last_prog=$prog
	fi
	[ $progressed = 1 ] || nap 0.1
done
wait 2>/dev/null || true
t_run=$(( $(now_ms) - t_run0 ))
nboots=$(cat "$TMPW"/u*/boots 2>/dev/null | wc -l)
cat "$TMPW"/u*/notes 2>/dev/null || true

# Durations for the next run's batches: each test's time from its start
# mark to its SUMMARY, and the time a boot takes to its first start mark.
for i in "${torun[@]}"; do
	[ "$(cat "$TMPW/e$i/status" 2>/dev/null)" != CRASH ] || continue
	[ -s "$TMPW/e$i/ms" ] || continue
	awk -v b="$backend" -v n="${names[i]}" '{ s += $1 } END { printf "%s\t%s\t%.2f\n", b, n, s / 1000 }' "$TMPW/e$i/ms"
done >"$TMPW/durs"
cat "$TMPW"/u*/boots 2>/dev/null | awk -v b="$backend" '$2 > $3 { s += $2 - $3; n++ } END { if (n) printf "%s\t@boot\t%.2f\n", b, s / n / 1000 }' >>"$TMPW/durs"
touch "$logdir/durations"
awk -F '\t' -v b="$backend" '
	FNR == NR { new[$1, $2] = 1; print; next }
	!(($1, $2) in new) && $2 != "@default" { print }' "$TMPW/durs" "$logdir/durations" >"$TMPW/durs.all"
awk -F '\t' -v b="$backend" '$1 == b && $2 !~ /^@/ { s += $3; n++ } END { if (n) printf "%s\t@default\t%.2f\n", b, s / n }' "$TMPW/durs.all" >"$TMPW/durs.default"
cat "$TMPW/durs.all" "$TMPW/durs.default" >"$logdir/durations.tmp" 2>/dev/null && mv -f "$logdir/durations.tmp" "$logdir/durations"

# ----------------------------------------------------------------- JUnit
xml_suite() { # ENTRY -> testsuite element on stdout
	local wd=$TMPW/e$1 name desc status ms
	IFS=$'\t' read -r name desc status ms <"$wd/meta"
	EPTEST_ENV=$environment awk -v name="$name" -v desc="$desc" -v ms="$ms" '
	function esc(s) {
		gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
		gsub(/"/, "\\&quot;", s)
		return s
	}
	function close_case() {
		if (cur == "") return
		out = out "    <testcase classname=\"" esc(name) "\" name=\"" esc(cur) "\""
		if (kind == "pass") out = out "/>\n"
		else if (kind == "xpass") out = out ">\n      <system-out>xpass: " esc(why) "</system-out>\n    </testcase>\n"
		else if (kind == "skip") out = out ">\n      <skipped message=\"" esc(why) "\"/>\n    </testcase>\n"
		else out = out ">\n      <failure message=\"" esc(cur) "\">" esc(diag) "</failure>\n    </testcase>\n"
		cur = ""
	}
	/^(not )?ok( [0-9]+)? - / {
		close_case()
		tests++
		nok = ($0 ~ /^not ok/)
		d = $0; sub(/^(not )?ok( [0-9]+)? - /, "", d)
		kind = nok ? "fail" : "pass"; why = ""; diag = ""
		if (match(d, /[ \t]#[ \t]*[Ss][Kk][Ii][Pp]/) && !nok) {
			kind = "skip"; why = substr(d, RSTART); sub(/^[ \t]*#[ \t]*/, "", why); sub(/^[Ss][Kk][Ii][Pp][ \t:]*/, "", why)
			d = substr(d, 1, RSTART - 1)
		} else if (match(d, /[ \t]#[ \t]*[Tt][Oo][Dd][Oo]/)) {
			# a known deviation: skipped when it showed, an xpass
			# (deviation not seen; no failure) when it did not
			kind = nok ? "skip" : "xpass"; why = substr(d, RSTART); sub(/^[ \t]*#[ \t]*/, "", why)
			if (!nok && why !~ /deviation not seen/) why = "deviation not seen: " why
			d = substr(d, 1, RSTART - 1)
		}
		if (kind == "skip") skipped++
		if (kind == "fail") failures++
		cur = (d == "") ? "(unnamed check " tests ")" : d
		next
	}
	/^#/ { if (cur != "") { l = $0; sub(/^# ?/, "", l); diag = diag l "\n" } }
	END {
		close_case()
		printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n", esc(name), tests, failures, skipped, ms / 1000
		printf "    <properties><property name=\"backend\" value=\"%s\"/>", esc(desc)
		n = split(ENVIRON["EPTEST_ENV"], kv, "\n")
		for (i = 1; i <= n; i++)
			if ((j = index(kv[i], "=")) > 1)
				printf "<property name=\"%s\" value=\"%s\"/>", esc(substr(kv[i], 1, j - 1)), esc(substr(kv[i], j + 1))
		printf "</properties>\n"
		printf "%s", out
		print "  </testsuite>"
		printf "%d %d %d\n", tests, failures, skipped > "/dev/stderr"
	}' "$wd/body"
}
if [ -n "$junit" ]; then
	jt=0 jf=0 js=0
	: >"$TMPW/suites.xml"
	for i in "${torun[@]}"; do
		xml_suite "$i" >>"$TMPW/suites.xml" 2>"$TMPW/counts"
		read -r a b c <"$TMPW/counts"
		jt=$((jt + a)) jf=$((jf + b)) js=$((js + c))
	done
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<testsuites name=\"eptest\" tests=\"$jt\" failures=\"$jf\" errors=\"0\">"
		cat "$TMPW/suites.xml"
		echo '</testsuites>'
	} >"$junit.tmp.$$" 2>/dev/null || die "cannot write $junit"
	mv -f "$junit.tmp.$$" "$junit" || die "cannot write $junit"
fi

# --html: the run as one TAP stream, as -t prints it, through scripts/report
if [ -n "$html" ]; then
	for i in "${torun[@]}"; do
		IFS=$'\t' read -r hn hd _ <"$TMPW/e$i/meta"
		echo "# test: $hn ($hd)"
		cat "$TMPW/e$i/body"
	done >"$TMPW/$backend.tap"
	"$SRCDIR/scripts/report" -o "$html" "$TMPW/$backend.tap" || exit 2
fi

# ----------------------------------------------------------------- total
summary="$ntorun tests on $backend${EPTEST_HOST_PAGES:+ with ${EPTEST_HOST_PAGES^^} host pages}: $n_pass passed, $((n_fail + n_crash)) failed"
[ $n_crash -eq 0 ] || summary="$summary ($n_crash crashed or hung)"
summary="$summary, $n_skip skipped; checks: $c_pass pass, $c_fail fail, $c_skip skip, $c_todo todo, $c_xpass xpass"
[ ${#notrun[@]} -eq 0 ] || summary="$summary; ${#notrun[@]} not for $backend"
summary="$summary; $nboots boots, $(fmt_ms "$t_run")"
if [ $tap = 1 ]; then
	echo "1..$tapno"
	echo "# $summary"
else
	echo "TOTAL $summary"
fi
[ $((n_fail + n_crash)) -eq 0 ]
