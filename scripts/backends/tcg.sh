# shellcheck shell=bash
# Backend "tcg": QEMU with the TCG software CPU (-cpu max).  TCG has no
# VMX, so VMX/EPT checks report SKIP; useful to test kernels and runner.
# shellcheck source=scripts/backends/qemu-common.sh
. "$SRCDIR/scripts/backends/qemu-common.sh"

backend_check() { qemu_check && qemu_pages_check; }
backend_prepare() { qemu_prepare; QEMU_ENVIRONMENT=$(backend_environment); }
backend_describe() { qemu_describe "$@"; }
backend_cmdline_extra() { qemu_cmdline_extra; }
backend_note() { :; }
backend_diagnose() { qemu_diagnose "$@"; }
backend_exit_meaning() { qemu_exit_meaning "$@"; }
backend_environment() { qemu_environment; }

# backend_run KERNEL CMDLINE SERIAL_LOG TIMEOUT CPU WORKDIR
backend_run() {
	qemu_run "$1" "$2" "$3" "$4" "$6" -accel tcg -cpu max
}
