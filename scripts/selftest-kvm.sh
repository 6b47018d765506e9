#!/bin/bash
# Self-tests of the kvm backend's preflight and of --host-pages, on a
# machine without VMX (called by scripts/selftest-runner.sh; make check).
#
# A faked host (EPTEST_HOST_ROOT: proc/, sys/, dev/kvm in a temporary
# directory) with nested off, EPT off, no /dev/kvm ... must make -b kvm
# exit 2 with one line naming the problem.  With a good faked host and a
# fake QEMU (records its command line, prints a passing SUMMARY) the QEMU
# command lines of -b kvm and -b tcg are checked for each --host-pages.
# Then the real QEMU: a tcg run with --host-pages 4k completes, and
# require_vmx=1 on tcg FAILs the VMX tests saying why.
# Prints "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eptest-selftest-kvm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=scripts/selftest-lib.sh
. "$SRCDIR/scripts/selftest-lib.sh"

# One test: the kernel that the fake QEMU pretends to boot.
cfg=$tmp/kvm.cfg
printf '[vmx_basic]\nfile=x86/vmx/vmx_basic.elf\ngroups=vmx\n' >"$cfg"

# fake_host DIR: an Intel host with kvm_intel nested=Y ept=Y eptad=Y
# vpid=Y unrestricted_guest=N, split-lock detection, 256 free 2M pages
# and 2 free 1G pages, host kernel 6.1.0-18-amd64.
fake_host() {
	local h=$1 p
	rm -rf "$h"
	mkdir -p "$h/proc/sys/kernel" "$h/dev" "$h/sys/module/kvm_intel/parameters" \
		"$h/sys/kernel/mm/hugepages/hugepages-2048kB" \
		"$h/sys/kernel/mm/hugepages/hugepages-1048576kB" \
		"$h/sys/kernel/mm/transparent_hugepage"
	cat >"$h/proc/cpuinfo" <<'EOF'
processor	: 0
vendor_id	: GenuineIntel
cpu family	: 6
model		: 106
model name	: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
stepping	: 6
microcode	: 0xd0003a5
flags		: fpu vme de pse tsc msr pae mce cx8 apic vmx ept ept_ad vpid split_lock_detect
EOF
	printf 'MemTotal:       16318032 kB\nHugePages_Total:     256\nHugePages_Free:      256\nHugepagesize:       2048 kB\n' >"$h/proc/meminfo"
	echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet" >"$h/proc/cmdline"
	echo "6.1.0-18-amd64" >"$h/proc/sys/kernel/osrelease"
	echo 1 >"$h/proc/sys/kernel/split_lock_mitigate"
	: >"$h/dev/kvm"
	for p in nested:Y ept:Y eptad:Y vpid:Y unrestricted_guest:N; do
		echo "${p#*:}" >"$h/sys/module/kvm_intel/parameters/${p%%:*}"
	done
	echo 256 >"$h/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
	echo 256 >"$h/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
	echo 2 >"$h/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
	echo 2 >"$h/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"
	echo 'always within_size advise [never] deny force' >"$h/sys/kernel/mm/transparent_hugepage/shmem_enabled"
}

# The fake QEMU: a version, and a serial log with the kernel command line
# and a passing SUMMARY; exits 1 like isa-debug-exit with status 0.
fakeqemu=$tmp/fake-qemu
cat >"$fakeqemu" <<'EOF'
#!/bin/bash
if [ "${1:-}" = --version ]; then
	echo "QEMU emulator version 9.9.9 (eptest self-test fake)"
	exit 0
fi
if [ "${1:-} ${2:-}" = "-cpu help" ]; then
	echo "  vmx-ept vmx-eptad vmx-invept vmx-page-walk-4 vmx-secondary-ctls"
	exit 0
fi
serial='' append=''
while [ $# -gt 0 ]; do
	case "$1" in
	-serial) serial=${2#file:}; shift ;;
	-append) append=$2; shift ;;
	esac
	shift
done
printf 'TAP version 13\n# append: %s\n# eptest: test vmx_basic\nok 1 - fake.check\n1..1\neptest: SUMMARY pass=1 fail=0 skip=0 todo=0 xpass=0\neptest: END tests=1 failed=0\n' "$append" >"$serial"
exit 1
EOF
chmod +x "$fakeqemu"

host=$tmp/host

# ------------------------------------------------ preflight: exit 2, one line
# expect_setup NAME REGEX [ARGS...]: -b kvm on the faked host $host exits 2
# with one line on stderr matching REGEX and nothing on stdout
expect_setup() {
	local name=$1 re=$2 out=$tmp/setup.out problems=()
	shift 2
	EPTEST_HOST_ROOT=$host QEMU=$fakeqemu run "$out" --config "$cfg" --logdir "$tmp/logs" "$@"
	[ "$rc" = 2 ] || problems+=("exit status $rc, want 2")
	[ "$(wc -l <"$out.err")" = 1 ] || problems+=("stderr has $(wc -l <"$out.err") lines, want 1")
	grep -q -E -- "$re" "$out.err" || problems+=("stderr does not match /$re/")
	[ -s "$out" ] && problems+=("stdout is not empty")
	cat "$out.err" >>"$out"
	result "$name -> $(head -n 1 "$out.err")" "$out" "${problems[@]}"
}

fake_host "$host"
echo N >"$host/sys/module/kvm_intel/parameters/nested"
expect_setup "kvm: nested VMX off" 'kvm_intel\.nested is off' -b kvm

fake_host "$host"
echo 0 >"$host/sys/module/kvm_intel/parameters/ept"
expect_setup "kvm: EPT off" 'kvm_intel\.ept is off' -b kvm

fake_host "$host"
rm "$host/dev/kvm"
expect_setup "kvm: no /dev/kvm" '/dev/kvm does not exist' -b kvm

fake_host "$host"
chmod a-w "$host/dev/kvm"
if [ -w "$host/dev/kvm" ]; then	# root writes anyway
	echo "ok - kvm: /dev/kvm not writable # SKIP running as root"
else
	expect_setup "kvm: /dev/kvm not writable" '/dev/kvm is not readable and writable' -b kvm
fi

fake_host "$host"
sed -i 's/ vmx / /' "$host/proc/cpuinfo"
expect_setup "kvm: no vmx flag" 'no vmx flag in /proc/cpuinfo' -b kvm

fake_host "$host"
rm -r "$host/sys/module/kvm_intel"
expect_setup "kvm: kvm_intel not loaded" 'kvm_intel is not loaded' -b kvm

fake_host "$host"
echo 0 >"$host/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
echo 0 >"$host/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
expect_setup "kvm --host-pages 2m, none reserved" 'no 2M huge pages are reserved' -b kvm --host-pages 2m
expect_setup "tcg --host-pages 2m, none reserved" 'no 2M huge pages are reserved' -b tcg --host-pages 2m

fake_host "$host"
echo 0 >"$host/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"
expect_setup "kvm --host-pages 1g, none free" 'only 0 of 2 1G huge pages are free' -b kvm --host-pages 1g

fake_host "$host"
rm -r "$host/sys/kernel/mm/hugepages/hugepages-1048576kB"
expect_setup "tcg --host-pages 1g, no 1G pages at all" 'offers no 1G huge pages' -b tcg --host-pages 1g

fake_host "$host"
oldqemu=$tmp/old-qemu
printf '#!/bin/sh\necho "QEMU emulator version 4.2.1"\n' >"$oldqemu"
chmod +x "$oldqemu"
fakeqemu_saved=$fakeqemu fakeqemu=$oldqemu
expect_setup "kvm: QEMU without vmx-* features" 'knows no vmx-\* CPU features' -b kvm
fakeqemu=$fakeqemu_saved

expect_setup "--host-pages 3m" "--host-pages: want 4k, 2m or 1g, got '3m'" -b kvm --host-pages 3m
expect_setup "bochs --host-pages 2m" 'bochs: --host-pages is for the QEMU backends' -b bochs --host-pages 2m
expect_setup "--kernel-args with a quote" 'contain a character other than' -b tcg --kernel-args "a'b"

# ------------------------------------- command lines, fake QEMU, faked host
# expect_cmdline BACKEND PAGES REGEX...: -b BACKEND [--host-pages PAGES]
# --isolate passes; logs/boot/vmx_basic.BACKEND.log's command line matches
# every REGEX
expect_cmdline() {
	local b=$1 pages=$2 out=$tmp/cmd-$1-$2.out problems=() re log cmd
	local -a opt=()
	shift 2
	[ "$pages" = default ] || opt=(--host-pages "$pages")
	fake_host "$host"
	EPTEST_HOST_ROOT=$host QEMU=$fakeqemu run "$out" --config "$cfg" --logdir "$tmp/logs-$b-$pages" \
		-b "$b" -t --junit "$tmp/j-$b-$pages.xml" --isolate "${opt[@]}"
	# --isolate: one boot of the test's own kernel, logged under its name
	log=$tmp/logs-$b-$pages/boot/vmx_basic.$b.log
	cmd=$(sed -n 's/^# command: //p' "$log" 2>/dev/null || true)
	[ "$rc" = 0 ] || problems+=("exit status $rc, want 0")
	[ -n "$cmd" ] || problems+=("no '# command:' line in $log")
	for re in "$@"; do
		grep -q -E -- "$re" <<<"$cmd" || problems+=("command line does not match /$re/")
	done
	{ echo "command: $cmd"; cat "$out.err"; } >>"$out"
	result "$b --host-pages $pages: QEMU command line" "$out" "${problems[@]}"
}
common='-display none -vga none -no-reboot -serial file:[^ ]*/vmx_basic\.log -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel [^ ]*/vmx_basic\.elf'
kvmcpu='-accel kvm -cpu host,\+vmx,\+vmx-secondary-ctls,\+vmx-ept,\+vmx-page-walk-4,\+vmx-invept,\+vmx-eptad,\+vmx-vpid,\+vmx-invvpid,enforce '
append="-append 'deviations=kvm,kvm-6\\.1 require_vmx=1,ad console=serial'\$"
expect_cmdline kvm default "$kvmcpu" '-machine pc -m 256M ' "$common" "$append"
expect_cmdline kvm 4k "$kvmcpu" \
	'-machine pc,memory-backend=eptest-ram -object memory-backend-memfd,id=eptest-ram,size=256M -m 256M ' \
	"$common" "$append"
expect_cmdline kvm 2m "$kvmcpu" \
	'-machine pc,memory-backend=eptest-ram -object memory-backend-memfd,id=eptest-ram,size=256M,hugetlb=on,hugetlbsize=2M,prealloc=on -m 256M ' \
	"$common" "$append"
expect_cmdline kvm 1g "$kvmcpu" \
	'-machine pc,memory-backend=eptest-ram -object memory-backend-memfd,id=eptest-ram,size=1G,hugetlb=on,hugetlbsize=1G,prealloc=on -m 1G ' \
	"$common" "$append"
for p in 2m 1g; do
	size=256M
	[ $p = 1g ] && size=1G
	expect_cmdline tcg $p '-accel tcg -cpu max ' \
		"-object memory-backend-memfd,id=eptest-ram,size=$size,hugetlb=on,hugetlbsize=${p^^},prealloc=on -m $size " \
		"$common" "-append '?console=serial'?\$"
done

# The kvm run of 2m above: results name the backing; -t, JUnit and the
# log record the environment; the preflight printed the kvm_intel state.
out=$tmp/cmd-kvm-2m.out
problems=()
grep -q '^# test: vmx_basic (kvm, 2M host pages)$' "$out" || problems+=("-t: no '# test: vmx_basic (kvm, 2M host pages)'")
for kv in 'host_kernel=6\.1\.0-18-amd64' 'qemu=9\.9\.9' 'host_cpu=Intel\(R\) Xeon\(R\) Platinum 8375C' \
	'host_cpu_family=6' 'host_cpu_model=106' 'host_cpu_stepping=6' 'host_microcode=0xd0003a5' \
	'kvm_intel=nested=Y ept=Y eptad=Y vpid=Y unrestricted_guest=N' 'host_pages=2m ' 'split_lock=warn'; do
	grep -q -E "^# environment: $kv" "$out" || problems+=("-t: no '# environment: $kv'")
	grep -q -E "^# env: $kv" "$tmp/logs-kvm-2m/boot/vmx_basic.kvm.log" || problems+=("log: no '# env: $kv'")
done
grep -q '<property name="host_microcode" value="0xd0003a5"/>' "$tmp/j-kvm-2m.xml" ||
	problems+=("JUnit: no host_microcode property")
grep -q '<property name="backend" value="kvm, 2M host pages"/>' "$tmp/j-kvm-2m.xml" ||
	problems+=("JUnit: the backend property does not name the backing")
grep -q -E '^kvm: .*kvm_intel nested=Y ept=Y eptad=Y vpid=Y unrestricted_guest=N' "$out" ||
	problems+=("stderr: no preflight line with the kvm_intel parameters")
grep -q -E '^kvm: split-lock detection: warn' "$out" || problems+=("stderr: no split-lock line")
result "kvm: -t, JUnit and the log record host, QEMU, CPU, microcode and the backing" "$out" "${problems[@]}"

# Layered deviation lists: kvm, the version ranges that cover the host
# kernel (in version order), then kvm-X.Y.
fake=$tmp/src
mkdir -p "$fake/scripts/deviations"
cp -r "$SRCDIR/scripts/backends" "$fake/scripts/"
for l in kvm kvm-5.7-6.12 kvm-6.2-6.12 kvm-4.0-5.6 kvm-6.0+ kvm-6.13+ kvm-6.1; do
	: >"$fake/scripts/deviations/$l.txt"
done
got=$(SRCDIR=$fake bash -c '. "$SRCDIR/scripts/backends/kvm.sh"; kvm_deviations 6.1')
out=$tmp/dev.out
echo "$got" >"$out"
problems=()
[ "$got" = kvm,kvm-5.7-6.12,kvm-6.0+,kvm-6.1 ] || problems+=("got '$got', want kvm,kvm-5.7-6.12,kvm-6.0+,kvm-6.1")
result "kvm: deviations= layers kvm, the covering ranges and kvm-X.Y" "$out" "${problems[@]}"

# ------------------------------------------------------------ real QEMU, tcg
out=$tmp/tcg4k.out
run "$out" --logdir "$tmp/logs-tcg4k" -b tcg --host-pages 4k vmx_basic ept_smoke
problems=()
[ "$rc" = 0 ] || problems+=("exit status $rc, want 0")
grep -q -E '^SKIP vmx_basic \(0 pass, 0 fail, 1 skip, 0 todo, 0 xpass\)( in [0-9.]+ s)?$' "$out" || problems+=("no 'SKIP vmx_basic' line")
grep -q -E '^TOTAL 2 tests on tcg with 4K host pages: 0 passed, 0 failed, 2 skipped' "$out" || problems+=("no TOTAL line")
grep -q -h 'memory-backend-memfd,id=eptest-ram,size=256M -m 256M' "$tmp"/logs-tcg4k/boot/*.tcg.log 2>/dev/null ||
	problems+=("the log's command line has no 4k memory backend")
result "tcg --host-pages 4k: a real run completes" "$out" "${problems[@]}"

# require_vmx=1 on tcg: every VMX check FAILs, saying what is missing
why='not skipped: require_vmx=1 promised VMX with EPT; missing: CPUID\.1:ECX\.VMX\[bit 5\]=0'
out=$tmp/req.out
run "$out" --logdir "$tmp/logs-req" -b tcg --kernel-args require_vmx=1 vmx_basic ept_smoke
problems=()
[ "$rc" = 1 ] || problems+=("exit status $rc, want 1")
grep -q -E '^FAIL vmx_basic \(0 pass, 1 fail, 0 skip, 0 todo, 0 xpass\)( in [0-9.]+ s)?$' "$out" || problems+=("no 'FAIL vmx_basic' line")
grep -q -E '^FAIL ept_smoke \(0 pass, 8 fail, 0 skip, 0 todo, 0 xpass\)( in [0-9.]+ s)?$' "$out" || problems+=("no 'FAIL ept_smoke' line")
grep -q '^    not ok 1 - vmx\.basic\.vmx: VMX operation$' "$out" || problems+=("no 'not ok 1 - vmx.basic.vmx'")
grep -q -E "^    # $why\$" "$out" || problems+=("no '# $why'")
result "tcg --kernel-args require_vmx=1: the VMX tests FAIL with the reason, exit 1" "$out" "${problems[@]}"

out=$tmp/req-env.out
EPTEST_KERNEL_ARGS=require_vmx=1 run "$out" --logdir "$tmp/logs-req" -b tcg vmx_basic
problems=()
[ "$rc" = 1 ] || problems+=("exit status $rc, want 1")
grep -q -E "^    # $why\$" "$out" || problems+=("no '# $why'")
result "tcg EPTEST_KERNEL_ARGS=require_vmx=1: the same" "$out" "${problems[@]}"

# Every kernel starts with the machine: hypervisor signature, VMX MSRs.
log=$tmp/logs-req/vmx_basic.log
problems=()
tr -d '\r' <"$log" | sed -n '2,7p' >"$tmp/head.out"
grep -q '^# eptest: cpu: ' "$tmp/head.out" || problems+=("no '# eptest: cpu:' line at the start")
grep -q '^# eptest: hypervisor: "TCGTCGTCGTCG"' "$tmp/head.out" || problems+=("no hypervisor signature at the start")
grep -q '^# eptest: preempt_bound=0x40000000 TSC cycles (default under a hypervisor); require_vmx: VMX with EPT$' \
	"$tmp/head.out" || problems+=("no preempt_bound/require_vmx line")
grep -q '^# eptest: no VMX capability MSRs: CPUID.1:ECX.VMX\[bit 5\]=0$' "$tmp/head.out" ||
	problems+=("no VMX capability line")
result "kernel log starts with CPU, hypervisor signature, settings and VMX MSRs" "$tmp/head.out" "${problems[@]}"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
