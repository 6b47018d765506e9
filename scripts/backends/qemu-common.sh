# shellcheck shell=bash
# Helpers shared by the tcg and kvm backends (sourced, not a backend).
# shellcheck source=scripts/backends/host-common.sh
. "$SRCDIR/scripts/backends/host-common.sh"

qemu_check() {
	if [ -z "${QEMU:-}" ] || ! command -v -- "$QEMU" >/dev/null 2>&1; then
		echo "QEMU (${QEMU:-qemu-system-x86_64}) not found; install the Debian package qemu-system-x86 (or run scripts/install-deps.sh)"
		return 1
	fi
}

# QEMU's version ("7.2.22 (Debian 1:7.2+dfsg-7+deb12u18)")
qemu_version() {
	"$QEMU" --version 2>/dev/null </dev/null | sed -n '1s/^QEMU emulator version //p'
}

# Guest memory by host page size (--host-pages, $EPTEST_HOST_PAGES):
# qemu_pages_set sets pages_size (guest RAM), pages_huge (hugetlb page
# size, or nothing) and pages_kb (its size in kB, as sysfs names it).
# A 1G page backs a 1 GiB guest: hugetlb memory is a whole number of pages.
qemu_pages_set() {
	case "${EPTEST_HOST_PAGES:-}" in
	2m) pages_size=256M pages_huge=2M pages_kb=2048 ;;
	1g) pages_size=1G pages_huge=1G pages_kb=1048576 ;;
	*) pages_size=256M pages_huge='' pages_kb='' ;;
	esac
}

# How guest memory is backed, in words (results and logs name it).
qemu_pages_words() {
	local shmem
	case "${EPTEST_HOST_PAGES:-}" in
	'') echo "default (anonymous memory; transparent huge pages as the host allows)" ;;
	4k)
		shmem=$(host_read /sys/kernel/mm/transparent_hugepage/shmem_enabled |
			sed -n 's/.*\[\([a-z_]*\)\].*/\1/p')
		echo "4k (memory-backend-memfd; shmem THP ${shmem:-unknown})" ;;
	*) qemu_pages_set; echo "${EPTEST_HOST_PAGES} (memory-backend-memfd, hugetlb ${pages_huge} pages, preallocated)" ;;
	esac
}

# Whether the host can back a guest with --host-pages (prints why not).
qemu_pages_check() {
	local hp=${EPTEST_HOST_PAGES:-} dir total free need
	case "$hp" in
	'') return 0 ;;
	4k) return 0 ;;
	esac
	qemu_pages_set
	need=1
	[ "$pages_huge" = 2M ] && need=128
	dir=/sys/kernel/mm/hugepages/hugepages-${pages_kb}kB
	if [ -d "$(host_path "$dir")" ]; then
		total=$(host_read "$dir/nr_hugepages")
		free=$(host_read "$dir/free_hugepages")
	elif [ "$(awk '$1 == "Hugepagesize:" { print $2 }' "$(host_path /proc/meminfo)" 2>/dev/null)" = "$pages_kb" ]; then
		total=$(awk '$1 == "HugePages_Total:" { print $2 }' "$(host_path /proc/meminfo)")
		free=$(awk '$1 == "HugePages_Free:" { print $2 }' "$(host_path /proc/meminfo)")
	else
		echo "--host-pages $hp: the host kernel offers no $pages_huge huge pages ($dir does not exist)"
		return 1
	fi
	if [ "${total:-0}" -eq 0 ] 2>/dev/null || [ -z "$total" ]; then
		echo "--host-pages $hp: no $pages_huge huge pages are reserved ($dir/nr_hugepages is 0); as root: echo $((need * ${jobs:-1})) > $dir/nr_hugepages ($need a guest, -j ${jobs:-1})"
		return 1
	fi
	if [ "${free:-0}" -lt "$need" ] 2>/dev/null || [ -z "$free" ]; then
		echo "--host-pages $hp: only ${free:-0} of $total $pages_huge huge pages are free; one guest needs $need ($pages_size)"
		return 1
	fi
}

# Warnings (stderr) about a --host-pages backing that may not be what it says.
qemu_pages_notes() {
	local hp=${EPTEST_HOST_PAGES:-} free shmem
	case "$hp" in
	4k)
		shmem=$(host_read /sys/kernel/mm/transparent_hugepage/shmem_enabled |
			sed -n 's/.*\[\([a-z_]*\)\].*/\1/p')
		case "${shmem:-never}" in
		never|deny) ;;
		*) echo "note: --host-pages 4k: shmem transparent huge pages are '$shmem' (/sys/kernel/mm/transparent_hugepage/shmem_enabled): the guest may get 2M pages" >&2 ;;
		esac ;;
	2m|1g)
		qemu_pages_set
		free=$(host_read "/sys/kernel/mm/hugepages/hugepages-${pages_kb}kB/free_hugepages")
		need=1
		[ "$pages_huge" = 2M ] && need=128
		if [ -n "$free" ] && [ "$free" -lt $((need * ${jobs:-1})) ]; then
			echo "note: --host-pages $hp: $free free $pages_huge huge pages are enough for $((free / need)) guests at a time, not -j ${jobs:-1}" >&2
		fi ;;
	esac
}

qemu_describe() {
	if [ -n "${EPTEST_HOST_PAGES:-}" ]; then
		echo "$BACKEND, ${EPTEST_HOST_PAGES^^} host pages"
	else
		echo "$BACKEND"
	fi
}

qemu_prepare() { qemu_pages_notes; }

qemu_cmdline_extra() { :; }

# key=value lines: the host, QEMU and the memory backing
qemu_environment() {
	host_environment
	echo "qemu=$(qemu_version)"
	echo "host_pages=$(qemu_pages_words)"
}

# qemu_quote WORD...: the words, quoted for a shell where they need it
qemu_quote() {
	local w
	for w in "$@"; do
		if [[ $w =~ ^[A-Za-z0-9_./,:=+@%-]+$ ]]; then
			printf ' %s' "$w"
		else
			printf " '%s'" "${w//\'/\'\\\'\'}"
		fi
	done
}

# qemu_run KERNEL CMDLINE SERIAL_LOG TIMEOUT WORKDIR QEMU-ARGS...
# The runner's QEMU: serial only (-vga none: the kernel then leaves the
# screen alone, so no console write is an MMIO exit), no reboot, the
# isa-debug-exit device, memory per --host-pages.
qemu_run() {
	local kernel=$1 cmdline=$2 serial=$3 timeout=$4 workdir=$5 pid rc=0 machine=pc
	shift 5
	local blog=${serial%.log}.$BACKEND.log
	local -a mem
	case "$serial" in
	*,*) echo "serial log path '$serial' contains a comma; QEMU cannot use it" >"$blog"
	     echo 125 >"$workdir/emu_status"; return 0 ;;
	esac
	qemu_pages_set
	if [ -n "${EPTEST_HOST_PAGES:-}" ]; then
		machine=pc,memory-backend=eptest-ram
		mem=(-object "memory-backend-memfd,id=eptest-ram,size=$pages_size${pages_huge:+,hugetlb=on,hugetlbsize=$pages_huge,prealloc=on}")
	fi
	set -- "$@" -machine "$machine" "${mem[@]}" -m "$pages_size" -display none -vga none \
		-no-reboot -serial "file:$serial" -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$kernel" -append "$cmdline"
	{
		printf '# %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ') $BACKEND: timeout ${timeout}s"
		printf '%s\n' "${QEMU_ENVIRONMENT:-$(backend_environment)}" | sed 's/^/# env: /'
		printf '# command:'
		qemu_quote "$QEMU" "$@"
		echo
	} >"$blog"
	: >"$serial"
	setsid timeout -s KILL "$timeout" "$QEMU" "$@" </dev/null >>"$blog" 2>&1 &
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
