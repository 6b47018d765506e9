# shellcheck shell=bash
# Facts about the host, shared by the backends (sourced, not a backend).
#
# Every file read here is looked up under $EPTEST_HOST_ROOT (default: the
# real root), so that the self-tests can fake a host: a directory with
# proc/cpuinfo, proc/meminfo, proc/cmdline, proc/sys/kernel/osrelease,
# proc/sys/kernel/split_lock_mitigate, dev/kvm, sys/module/kvm_intel/
# parameters/* and sys/kernel/mm/{hugepages,transparent_hugepage}/.  With
# EPTEST_HOST_ROOT set, /dev/kvm may be a plain file and nothing falls
# back to the real host.

HOST_ROOT=${EPTEST_HOST_ROOT:-}

# host_path PATH: where the host's PATH is read from
host_path() { printf '%s%s' "$HOST_ROOT" "$1"; }

# host_read PATH: the first line of the host's PATH, or nothing
host_read() {
	local l=
	IFS= read -r l 2>/dev/null <"$(host_path "$1")" || true
	printf '%s' "$l"
}

# host_cpuinfo FIELD: FIELD of the first processor in /proc/cpuinfo
host_cpuinfo() {
	awk -v k="$1" -F ':' '
	{ f = $1; sub(/[ \t]+$/, "", f) }
	f == k { v = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", v); print v; exit }
	' "$(host_path /proc/cpuinfo)" 2>/dev/null || true
}

# host_cpu_flag FLAG: true when the first processor has FLAG
host_cpu_flag() { [[ " $(host_cpuinfo flags) " == *" $1 "* ]]; }

# The host kernel's release (uname -r).
host_kernel() {
	local r
	r=$(host_read /proc/sys/kernel/osrelease)
	if [ -z "$r" ] && [ -z "$HOST_ROOT" ]; then
		r=$(uname -r 2>/dev/null || true)
	fi
	echo "${r:-unknown}"
}

# host_kernel_version: MAJOR.MINOR of the host kernel, or nothing
host_kernel_version() {
	host_kernel | sed -n 's/^\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1.\2/p'
}

# The state of split-lock detection (what a locked access across a cache
# line costs a guest): the CPU flag, split_lock_detect= on the kernel
# command line (default warn), and split_lock_mitigate.
host_split_lock() {
	local mode mit
	if ! host_cpu_flag split_lock_detect; then
		echo "not detected (no split_lock_detect flag in /proc/cpuinfo)"
		return
	fi
	mode=$(host_read /proc/cmdline | tr ' ' '\n' | sed -n 's/^split_lock_detect=//p' | tail -n 1)
	mit=$(host_read /proc/sys/kernel/split_lock_mitigate)
	case "${mode:-warn}" in
	off) echo "off (split_lock_detect=off)" ;;
	fatal) echo "fatal (a split lock in a guest kills QEMU)" ;;
	warn)
		if [ "$mit" = 0 ]; then
			echo "warn (split_lock_mitigate=0: logged only)"
		else
			echo "warn (split_lock_mitigate=${mit:-1}: a split lock in a guest stalls it ~10 ms)"
		fi ;;
	*) echo "$mode" ;;
	esac
}

# host_environment: key=value lines naming the host (for logs, -t, JUnit)
host_environment() {
	echo "host_kernel=$(host_kernel)"
	echo "host_cpu=$(host_cpuinfo 'model name')"
	echo "host_cpu_family=$(host_cpuinfo 'cpu family')"
	echo "host_cpu_model=$(host_cpuinfo model)"
	echo "host_cpu_stepping=$(host_cpuinfo stepping)"
	echo "host_microcode=$(host_cpuinfo microcode)"
}
