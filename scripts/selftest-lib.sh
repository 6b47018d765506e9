# Shared by the runner's self-test scripts (selftest-runner.sh,
# selftest-kvm.sh): sourced after they set SRCDIR.  Counts results in
# npass/nfail; each script prints "N passed, N failed" at its end.
# shellcheck shell=bash
RUN=$SRCDIR/run_tests.sh
npass=0 nfail=0

# result NAME OUTPUT-FILE PROBLEM...: ok when no problem was given
result() {
	local name=$1 out=$2
	shift 2
	if [ $# -eq 0 ]; then
		echo "ok - $name"
		npass=$((npass + 1))
		return
	fi
	echo "not ok - $name"
	local p
	for p in "$@"; do echo "#   $p"; done
	echo "#   output was:"
	sed 's/^/#     /' "$out" | head -n 40
	nfail=$((nfail + 1))
}

# run OUT ARGS...: run run_tests.sh, stdout to OUT, stderr to OUT.err;
# sets $rc
run() {
	local out=$1
	shift
	rc=0
	CI=true "$RUN" "$@" </dev/null >"$out" 2>"$out.err" || rc=$?
}
