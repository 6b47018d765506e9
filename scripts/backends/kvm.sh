# shellcheck shell=bash
# Backend "kvm": QEMU with KVM and nested VMX (-cpu host,+vmx).  Needs an
# Intel host with VMX, /dev/kvm read/write, and for a nested host
# kvm_intel's nested=1.
# shellcheck source=scripts/backends/qemu-common.sh
. "$SRCDIR/scripts/backends/qemu-common.sh"

# kvm_usable: true when /dev/kvm can be opened and the host CPU has VMX
kvm_usable() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		grep -qw vmx /proc/cpuinfo 2>/dev/null
}

backend_check() {
	qemu_check || return 1
	if [ ! -c /dev/kvm ]; then
		echo "backend kvm: /dev/kvm does not exist (KVM not available; load kvm_intel, or use -b bochs or -b tcg)"
		return 1
	fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "backend kvm: /dev/kvm is not readable and writable by $(id -un) (add the user to group kvm, or use -b bochs or -b tcg)"
		return 1
	fi
	if ! grep -qw vmx /proc/cpuinfo 2>/dev/null; then
		echo "backend kvm: the host CPU has no VMX in /proc/cpuinfo (not an Intel CPU, or nested VMX is off; use -b bochs or -b tcg)"
		return 1
	fi
}
backend_prepare() { qemu_prepare; }
backend_describe() { qemu_describe "$@"; }
backend_cmdline_extra() { qemu_cmdline_extra; }
backend_note() { :; }
backend_diagnose() { qemu_diagnose "$@"; }
backend_exit_meaning() { qemu_exit_meaning "$@"; }

# backend_run KERNEL CMDLINE SERIAL_LOG TIMEOUT CPU WORKDIR
backend_run() {
	qemu_run "$1" "$2" "$3" "$4" "$6" -enable-kvm -cpu host,+vmx
}
