#!/bin/bash
# Self-tests of run_tests.sh (make check).  Boots the purpose-built failing
# kernels of x86/selftest/ (listed in scripts/selftest.cfg) under tcg and
# bochs and checks that each one is reported as a failure for the right
# reason with exit status 1; then checks the usage errors (exit 2, one
# line); then runs scripts/selftest-kvm.sh (kvm preflight, --host-pages,
# require_vmx=).  Prints "N passed, N failed"; exits 1 on any failure.
# Env: SELFTEST_BACKENDS (default "tcg bochs"), EPTEST_BUILD_DIR.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CFG=$SRCDIR/scripts/selftest.cfg
backends=${SELFTEST_BACKENDS:-tcg bochs}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eptest-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=scripts/selftest-lib.sh
. "$SRCDIR/scripts/selftest-lib.sh"

# expect_fail BACKEND TEST WHY REGEX...: run one self-test kernel; it must
# exit 1 and print a line matching each (extended) REGEX
expect_fail() {
	local b=$1 t=$2 why=$3 out=$tmp/$1-$2.out problems=() re
	shift 3
	run "$out" --config "$CFG" --logdir "$tmp/logs-$b" -b "$b" -j 1 "$t"
	cat "$out.err" >>"$out"
	[ "$rc" = 1 ] || problems+=("exit status $rc, want 1")
	for re in "$@"; do
		grep -q -E -- "$re" "$out" || problems+=("no line matches /$re/")
	done
	grep -q -E "^PASS $t " "$out" && problems+=("reported as PASS")
	result "$b: $t is reported as FAIL ($why), exit 1" "$out" "${problems[@]}"
}

for b in $backends; do
	expect_fail "$b" st_fail "wrong value" \
		'^FAIL st_fail \(1 pass, 1 fail, 0 skip, 0 todo, 0 xpass\) in [0-9]+\.[0-9] s$' \
		'^    not ok 2 - selftest\.fail\.wrong-value: 2 \+ 2 == 5$' \
		'got 5 want 5|got 4 want 5' \
		'^TOTAL 1 tests on '"$b"': 0 passed, 1 failed'
	expect_fail "$b" st_hang "hang: timeout" \
		'^FAIL st_hang \(crashed or hung: timed out after 8 s' \
		'ok 1 - selftest\.hang\.before'
	if [ "$b" = bochs ]; then
		expect_fail "$b" st_triple "triple fault" \
			'^FAIL st_triple \(crashed or hung: ' \
			'# bochs: triple fault' \
			'>>PANIC<<.*3rd \([0-9]+\) exception with no resolution' \
			'ok 1 - selftest\.triple\.before'
		expect_fail "$b" st_nosummary "exit without SUMMARY" \
			'^FAIL st_nosummary \(crashed or hung: bochs exited' \
			'kernel wrote Shutdown to port 0x8900' \
			'ok 1 - selftest\.nosummary\.check'
	else
		expect_fail "$b" st_triple "triple fault" \
			'^FAIL st_triple \(crashed or hung: guest reset \(triple fault\?\)' \
			'ok 1 - selftest\.triple\.before'
		expect_fail "$b" st_nosummary "exit without SUMMARY" \
			"^FAIL st_nosummary \\(crashed or hung: $b exited with status 1 " \
			'ok 1 - selftest\.nosummary\.check'
	fi
	expect_fail "$b" st_liar "SUMMARY and plan leave out a check line" \
		'^FAIL st_liar \(inconsistent output: test st_liar: plan 1\.\.2 but 3 check lines; test st_liar: SUMMARY says pass=2 .*, the check lines say pass=3 ' \
		'^    not ok - st_liar: inconsistent output$'
	expect_fail "$b" st_liar_dup "a check id twice" \
		'^FAIL st_liar_dup \(inconsistent output: check id selftest\.liar\.twice appears twice\)'

	# A batch whose second of three tests crashes: the first and third
	# keep their checks, the second is crashed, a second boot resumes.
	for mode in batch isolate; do
		out=$tmp/$b-crashbatch-$mode.out
		args=()
		[ $mode = batch ] || args=(--isolate)
		run "$out" --config "$CFG" --logdir "$tmp/logs-$b-$mode" -b "$b" -j 1 "${args[@]}" st_fail st_triple st_pass
		problems=()
		[ "$rc" = 1 ] || problems+=("exit status $rc, want 1")
		grep -q -E '^FAIL st_fail \(1 pass, 1 fail, 0 skip, 0 todo, 0 xpass\)' "$out" || problems+=("st_fail: not FAIL with 1 pass, 1 fail")
		grep -q -E '^FAIL st_triple \(crashed or hung: ' "$out" || problems+=("st_triple: not reported crashed")
		grep -q -E '^PASS st_pass \(1 pass, 0 fail, 0 skip, 0 todo, 0 xpass\)' "$out" || problems+=("st_pass: not PASS with its check")
		grep -q -E '^TOTAL 3 tests on '"$b"': 1 passed, 2 failed \(1 crashed or hung\), 0 skipped; checks: 3 pass, 1 fail, .*; '"$([ $mode = batch ] && echo 2 || echo 3)"' boots' "$out" ||
			problems+=("TOTAL: want 3 checks passed, 1 failed, $([ $mode = batch ] && echo 2 || echo 3) boots")
		grep -q '^ok 1 - selftest.pass.check' "$tmp/logs-$b-$mode/st_pass.log" 2>/dev/null || problems+=("logs/st_pass.log lacks its check")
		result "$b: $mode: st_fail, st_triple (crashes), st_pass: the crash costs only st_triple" "$out" "${problems[@]}"
	done
done

# TAP 13 and JUnit output of a failing run (first backend only)
b=${backends%% *}
out=$tmp/tap.out
run "$out" --config "$CFG" --logdir "$tmp/logs-tap" -b "$b" -t --junit "$tmp/j.xml" st_fail st_nosummary
problems=()
[ "$rc" = 1 ] || problems+=("exit status $rc, want 1")
[ "$(head -n 1 "$out")" = "TAP version 13" ] || problems+=("first line is not 'TAP version 13'")
grep -q "^# test: st_fail ($b" "$out" || problems+=("no '# test: st_fail' comment")
grep -q '^not ok 2 - selftest\.fail\.wrong-value' "$out" || problems+=("no 'not ok 2 - selftest.fail.wrong-value'")
grep -q '^ok 3 - selftest\.nosummary\.check' "$out" || problems+=("checks not renumbered across tests")
grep -q '^not ok 4 - st_nosummary: crashed or hung$' "$out" || problems+=("no 'not ok 4 - st_nosummary: crashed or hung'")
[ "$(grep -v '^#' "$out" | tail -n 1)" = "1..4" ] || problems+=("the plan is not '1..4' at the end")
grep -q -E '^(ok|not ok) [0-9]+ - .* # SKIP|^# ' "$out" || problems+=("no diagnostics")
grep -q '<failure message="selftest.fail.wrong-value' "$tmp/j.xml" 2>/dev/null || problems+=("JUnit: no <failure> for selftest.fail.wrong-value")
grep -q '<testcase classname="st_nosummary" name="st_nosummary: crashed or hung">' "$tmp/j.xml" 2>/dev/null ||
	problems+=("JUnit: no crashed-or-hung testcase")
grep -q '<testsuites name="eptest" tests="4" failures="2"' "$tmp/j.xml" 2>/dev/null || problems+=("JUnit: wrong totals")
result "$b: -t prints one renumbered TAP 13 stream, --junit writes XML" "$out" "${problems[@]}"

# xpass (a listed deviation not seen): no kernel prints one without a
# deviation list that needs it, so a stand-in QEMU writes the serial log:
# it is counted per test, in TOTAL, in -t and in JUnit, and fails nothing.
cat >"$tmp/fake-qemu" <<'FAKE'
#!/bin/bash
for a in "$@"; do case $a in file:*) out=${a#file:} ;; *console=serial*) args=$a ;; esac; done
{
	printf 'TAP version 13\r\n# eptest: options: console=serial\r\n'
	for n in $args; do
		case $n in *=*) continue ;; esac
		printf '# eptest: test %s\r\nok 1 - selftest.xpass.plain: w\r\n' "$n"
		printf 'ok 2 - selftest.xpass.listed: w # TODO l: deviation not seen: qual (line 3)\r\n'
		printf '1..2\r\neptest: SUMMARY pass=1 fail=0 skip=0 todo=0 xpass=1\r\n'
	done
	printf 'eptest: END tests=1 failed=0\r\n'
} >"$out"
exit 1
FAKE
chmod +x "$tmp/fake-qemu"
out=$tmp/xpass.out
QEMU=$tmp/fake-qemu run "$out" --config "$CFG" --logdir "$tmp/logs-xpass" -b tcg --junit "$tmp/x.xml" st_pass
rc_plain=$rc
QEMU=$tmp/fake-qemu run "$out.tap" --config "$CFG" --logdir "$tmp/logs-xpass" -b tcg -t st_pass
cat "$out.tap" >>"$out"
problems=()
[ "$rc_plain" = 0 ] && [ "$rc" = 0 ] || problems+=("exit status $rc_plain and $rc, want 0")
grep -q -E '^PASS st_pass \(1 pass, 0 fail, 0 skip, 0 todo, 1 xpass\)' "$out" || problems+=("no per-test xpass count")
grep -q -E '^TOTAL .*checks: 1 pass, 0 fail, 0 skip, 0 todo, 1 xpass' "$out" || problems+=("no xpass in TOTAL")
grep -q '^# st_pass: SUMMARY pass=1 fail=0 skip=0 todo=0 xpass=1$' "$out" || problems+=("-t: no xpass in the SUMMARY comment")
grep -q '<system-out>xpass: TODO l: deviation not seen' "$tmp/x.xml" 2>/dev/null || problems+=("JUnit: no xpass system-out")
grep -q 'failures="0"' "$tmp/x.xml" 2>/dev/null || problems+=("JUnit: the xpass counts as a failure")
result "xpass: shown per test, in TOTAL, -t and JUnit; not a failure" "$out" "${problems[@]}"

# usage errors: exit 2, one line on stderr, nothing on stdout
expect_usage() {
	local name=$1 out=$tmp/usage.out problems=()
	shift
	run "$out" "$@"
	[ "$rc" = 2 ] || problems+=("exit status $rc, want 2")
	[ "$(wc -l <"$out.err")" = 1 ] || problems+=("stderr has $(wc -l <"$out.err") lines, want 1")
	[ -s "$out" ] && problems+=("stdout is not empty")
	cat "$out.err" >>"$out"
	result "usage error: $name -> $(head -n 1 "$out.err")" "$out" "${problems[@]}"
}
expect_usage "--bogus" --bogus
expect_usage "-b nosuch" -b nosuch
expect_usage "unknown test" --config "$CFG" no_such_test
expect_usage "glob matching nothing" --config "$CFG" 'zz*'
expect_usage "-j 0" -j 0

# a malformed config: every kind of error names file:line
bad=$tmp/bad.cfg
corrupt() { # LINE-TO-APPEND DESCRIPTION
	cp "$CFG" "$bad"
	printf '%b\n' "$1" >>"$bad"
	local out=$tmp/usage.out problems=()
	run "$out" --config "$bad" -l
	[ "$rc" = 2 ] || problems+=("exit status $rc, want 2")
	[ "$(wc -l <"$out.err")" = 1 ] || problems+=("stderr has $(wc -l <"$out.err") lines, want 1")
	grep -q -E "^$bad:[0-9]+: " "$out.err" || problems+=("the message does not name $bad:LINE")
	[ -s "$out" ] && problems+=("stdout is not empty")
	cat "$out.err" >>"$out"
	result "malformed config ($2) -> $(head -n 1 "$out.err")" "$out" "${problems[@]}"
}
corrupt 'this is not ini' "garbage line"
corrupt '[st_fail]\nfile=x' "duplicate section"
corrupt '[x]\nfile=a\ncolour=red' "unknown key"
corrupt '[x]\ngroups=a' "section without file="
corrupt '[x]\nfile=a\ntimeout=soon' "bad timeout"
corrupt '[x]\nfile=a\nbackends=kvm vbox' "bad backend"
cp "$CFG" "$bad"
sed -i '1i timeout=5' "$bad"
out=$tmp/usage.out
run "$out" --config "$bad" -l
problems=()
[ "$rc" = 2 ] || problems+=("exit status $rc, want 2")
grep -q "^$bad:1: key 'timeout' outside a section" "$out.err" || problems+=("want '$bad:1: key 'timeout' outside a section'")
cat "$out.err" >>"$out"
result "malformed config (key outside a section)" "$out" "${problems[@]}"

# the kvm backend's preflight, --host-pages, require_vmx= (faked hosts)
kout=$tmp/kvm.out
"$SRCDIR/scripts/selftest-kvm.sh" >"$kout" 2>&1 || true
grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$kout" || true
if read -r kp _ kf _ < <(tail -n 1 "$kout") && [[ "$kp $kf" =~ ^[0-9]+\ [0-9]+$ ]]; then
	npass=$((npass + kp)) nfail=$((nfail + kf))
else
	result "scripts/selftest-kvm.sh ran to its end" "$kout" "it printed no 'N passed, N failed' line"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
