#!/bin/bash
# eptest runner: boots each test kernel listed in unittests.cfg under an
# emulator backend, reads its TAP output from the serial log and reports.
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
  -g, --group G     only tests whose groups= contains G
  -j, --jobs N      run N tests in parallel (default: nproc)
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

Logs: logs/NAME.log (serial output) and logs/NAME.BACKEND.log (emulator).
Exit status: 0 nothing failed, 1 a check failed or a test crashed, hung
or printed no SUMMARY line, 2 usage or setup error.
EOF
}

die() { echo "$PROG: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] || die "option '$1' needs an argument (try -h)"; }

# ---------------------------------------------------------------- options
backend=auto group='' verbose=0 list=0 tap=0 junit='' html=''
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
	for ((i = 0; i < ntests; i++)); do sel[i]=1; done
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

vout=1
[ $tap = 1 ] && vout=2
if [ $verbose = 1 ]; then
	for i in "${notrun[@]}"; do
		echo "not run: ${names[i]} (backends=${backends[i]}, backend is $backend)" >&$vout
	done
fi

mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)
backend_prepare || die "backend $backend: preparation failed"
# key=value lines naming host, emulator and CPU: for -t, JUnit, the logs
environment=$(backend_environment 2>/dev/null || true)
printf '%s\n' "$environment" >"$logdir/environment.txt"

TMPW=$(mktemp -d "${TMPDIR:-/tmp}/eptest.XXXXXX")

# Kill every emulator still running (each runs in its own process group).
kill_all() {
	local f p
	for f in "$TMPW"/*/pid; do
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

now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# Extract the TAP body of a serial log.  Writes NORMALIZED lines to stdout
# ("ok - DESC", "not ok - DESC", "# ..."), and the counts of the SUMMARY
# line ("pass fail skip todo") to SUMFILE when there is one.
tap_extract() {
	awk -v sumfile="$2" '
	{ gsub(/\r/, ""); gsub(/[\001-\010\013-\037\177]/, "") }
	/^TAP version/ { next }
	/^eptest: SUMMARY / {
		p = f = s = t = -1
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "pass") p = kv[2] + 0
			else if (kv[1] == "fail") f = kv[2] + 0
			else if (kv[1] == "skip") s = kv[2] + 0
			else if (kv[1] == "todo") t = kv[2] + 0
		}
		if (p >= 0 && f >= 0 && s >= 0 && t >= 0)
			print p, f, s, t > sumfile
		exit
	}
	/^(not )?ok([ \t]|$)/ {
		st = ($0 ~ /^not /) ? "not ok" : "ok"
		d = $0
		sub(/^(not )?ok[ \t]*/, "", d)
		num = ""
		if (match(d, /^[0-9]+/)) { num = " " substr(d, 1, RLENGTH); d = substr(d, RLENGTH + 1) }
		sub(/^[ \t]*-?[ \t]*/, "", d)
		print st num " - " d
		next
	}
	/^#/ { print; next }
	' "$1"
}

# run_one INDEX: run one test; leaves files in $TMPW/INDEX/
run_one() {
	local i=$1 wd=$TMPW/$1
	local name=${names[i]} kernel=$BUILD_DIR/${files[i]} to=${timeouts[i]}
	local serial=$logdir/${names[i]}.log cmdline t0 t1 st reason tailpid=
	mkdir -p "$wd"
	cmdline="${params[i]} $(backend_cmdline_extra) ${EPTEST_KERNEL_ARGS:-}"
	read -r -a words <<<"$cmdline" || true
	cmdline="${words[*]}"
	rm -f "$serial" "$logdir/${name}".*.log "$logdir/${name}".*.out
	: >"$serial"
	if [ $verbose = 1 ]; then
		tail -n +1 -F -s 0.2 "$serial" 2>/dev/null >  >(awk -v p="$name" '{ gsub(/\r/, ""); print p ": " $0; fflush() }' >&$vout) &
		tailpid=$!
	fi
	t0=$(now_ms)
	backend_run "$kernel" "$cmdline" "$serial" "$to" "${cpus[i]}" "$wd"
	rm -f "$wd/pid"
	t1=$(now_ms)
	if [ -n "$tailpid" ]; then
		sleep 0.3
		kill "$tailpid" 2>/dev/null || true
		wait "$tailpid" 2>/dev/null || true
	fi
	st=$(cat "$wd/emu_status" 2>/dev/null || echo 125)
	echo "$((t1 - t0))" >"$wd/ms"

	tap_extract "$serial" "$wd/sum" >"$wd/body"
	if [ -s "$wd/sum" ]; then
		read -r p f s t <"$wd/sum"
		if [ "$f" -gt 0 ]; then echo FAIL; elif [ "$p" -eq 0 ] && [ "$t" -eq 0 ]; then echo SKIP; else echo PASS; fi >"$wd/status"
		case "$(backend_exit_meaning "$st")" in
		pass) [ "$f" -eq 0 ] || echo "# note: $BACKEND exit status $st says no failure, SUMMARY says fail=$f" >>"$wd/body" ;;
		fail) [ "$f" -gt 0 ] || echo "# note: $BACKEND exit status $st says failure, SUMMARY says fail=0" >>"$wd/body" ;;
		esac
	else
		echo CRASH >"$wd/status"
		if [ "$st" = 137 ] && [ $(( (t1 - t0) / 1000 + 1 )) -ge "$to" ]; then
			reason="timed out after ${to} s without a SUMMARY line"
		elif [ "$st" = 125 ]; then
			reason="$BACKEND could not start (see logs/$name.$BACKEND.log)"
		elif [ "$st" = 0 ] && [ "$BACKEND" != bochs ]; then
			reason="guest reset (triple fault?) before the SUMMARY line: QEMU exited with status 0"
		else
			reason="$BACKEND exited with status $st before the SUMMARY line"
		fi
		echo "$reason" >"$wd/reason"
		{
			echo "not ok - $name: crashed or hung"
			echo "# $reason"
			backend_diagnose "$serial" | sed 's/^/# /'
			if [ -s "$serial" ]; then
				echo "# last lines of $serial_rel/$name.log:"
				tr -d '\r' <"$serial" | tr -c '\n[:print:]\t' '?' | tail -n 10 | sed 's/^/#   /'
			else
				echo "# $serial_rel/$name.log is empty: the kernel printed nothing"
			fi
		} >>"$wd/body"
	fi
	touch "$wd/done"
}

# ---------------------------------------------------------------- report
n_pass=0 n_fail=0 n_skip=0 n_crash=0 c_pass=0 c_fail=0 c_skip=0 c_todo=0 tapno=0
[ $tap = 1 ] && echo "TAP version 13" && printf '%s\n' "$environment" | sed 's/^/# environment: /'

report_one() {
	local i=$1 wd=$TMPW/$1 status p=0 f=0 s=0 t=0 desc ms
	local name=${names[i]}
	desc=$(backend_describe "${cpus[i]}")
	if [ -f "$wd/done" ]; then
		status=$(cat "$wd/status")
	else
		status=CRASH
		echo "internal error: the runner's job for $name died" >"$wd/reason"
		echo "not ok - $name: crashed or hung" >"$wd/body"
		echo "# internal error: the runner's job died" >>"$wd/body"
	fi
	[ -s "$wd/sum" ] && read -r p f s t <"$wd/sum"
	c_pass=$((c_pass + p)) c_fail=$((c_fail + f)) c_skip=$((c_skip + s)) c_todo=$((c_todo + t))
	ms=$(cat "$wd/ms" 2>/dev/null || echo 0)
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
		[ -s "$wd/sum" ] && echo "# $name: SUMMARY pass=$p fail=$f skip=$s todo=$t"
		return 0
	fi
	case "$status" in
	CRASH)
		echo "FAIL $name (crashed or hung: $(cat "$wd/reason"))"
		awk 'found > 1 { print "    " $0 } found { found++ } /^not ok - .*: crashed or hung$/ { found = 1 }' "$wd/body"
		;;
	*)
		echo "$status $name ($p pass, $f fail, $s skip, $t todo)"
		if [ "$status" = FAIL ]; then
			# the failed checks (not TODO) with their diagnostics
			awk '
			/^(not )?ok( [0-9]+)? - / {
				show = ($0 ~ /^not ok/ && $0 !~ /#[ \t]*[Tt][Oo][Dd][Oo]/)
				if (show) print "    " $0
				next
			}
			show { print "    " $0 }' "$wd/body"
			echo "    log: ${serial_rel:-logs}/$name.log"
		fi
		;;
	esac
}

serial_rel=$logdir
case "$logdir" in "$PWD"/*) serial_rel=${logdir#"$PWD"/} ;; esac

# launch up to $jobs tests at a time; report in config order as they finish
ntorun=${#torun[@]}
launched=0 reported=0 running=0
while [ $reported -lt "$ntorun" ]; do
	while [ $launched -lt "$ntorun" ] && [ $running -lt "$jobs" ]; do
		( set +e; run_one "${torun[launched]}" ) &
		launched=$((launched + 1)) running=$((running + 1))
	done
	idx=${torun[reported]}
	if [ -f "$TMPW/$idx/done" ]; then
		report_one "$idx"
		reported=$((reported + 1))
		continue
	fi
	if [ $running -gt 0 ]; then
		wait -n 2>/dev/null || true
		running=$((running - 1))
	else
		report_one "$idx" # its job is gone without a result
		reported=$((reported + 1))
	fi
done
wait 2>/dev/null || true

# ----------------------------------------------------------------- JUnit
xml_suite() { # INDEX -> testsuite element on stdout
	local wd=$TMPW/$1 name desc status ms
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
		if (match(d, /[ \t]#[ \t]*[Ss][Kk][Ii][Pp]/)) {
			kind = "skip"; why = substr(d, RSTART); sub(/^[ \t]*#[ \t]*/, "", why); sub(/^[Ss][Kk][Ii][Pp][ \t:]*/, "", why)
			d = substr(d, 1, RSTART - 1)
		} else if (match(d, /[ \t]#[ \t]*[Tt][Oo][Dd][Oo]/)) {
			kind = nok ? "skip" : "pass"; why = substr(d, RSTART); sub(/^[ \t]*#[ \t]*/, "", why)
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
		IFS=$'\t' read -r hn hd _ <"$TMPW/$i/meta"
		echo "# test: $hn ($hd)"
		cat "$TMPW/$i/body"
	done >"$TMPW/$backend.tap"
	"$SRCDIR/scripts/report" -o "$html" "$TMPW/$backend.tap" || exit 2
fi

# ----------------------------------------------------------------- total
nrun=$ntorun
summary="$nrun tests on $backend${EPTEST_HOST_PAGES:+ with ${EPTEST_HOST_PAGES^^} host pages}: $n_pass passed, $((n_fail + n_crash)) failed"
[ $n_crash -eq 0 ] || summary="$summary ($n_crash crashed or hung)"
summary="$summary, $n_skip skipped; checks: $c_pass pass, $c_fail fail, $c_skip skip, $c_todo todo"
[ ${#notrun[@]} -eq 0 ] || summary="$summary; ${#notrun[@]} not for $backend"
if [ $tap = 1 ]; then
	echo "1..$tapno"
	echo "# $summary"
else
	echo "TOTAL $summary"
fi
[ $((n_fail + n_crash)) -eq 0 ]
