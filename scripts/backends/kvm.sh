# shellcheck shell=bash
# Backend "kvm": QEMU with KVM and nested VMX.  Needs an Intel host with
# VMX, /dev/kvm read/write, and kvm_intel loaded with nested=1 and ept=1.
#
# Preflight (backend_check): every requirement missing is a one-line
# error (exit 2), never a run where every VMX check skips.  QEMU gets
# -cpu host plus each VMX feature the suite needs or the host's kvm_intel
# offers, with enforce: a feature QEMU would drop is an error, not a
# warning.  The kernels get require_vmx= for the same features, so a
# missing one FAILs instead of skipping, and deviations=kvm,...,kvm-X.Y.
# Host files are read under $EPTEST_HOST_ROOT (scripts/backends/host-common.sh).
# shellcheck source=scripts/backends/qemu-common.sh
. "$SRCDIR/scripts/backends/qemu-common.sh"

KVM_PARAMS=/sys/module/kvm_intel/parameters

# kvm_param NAME: kvm_intel's parameter NAME (Y, N, 1, 0...), or nothing
kvm_param() { host_read "$KVM_PARAMS/$1"; }

# kvm_on NAME: true when kvm_intel's parameter NAME is on
kvm_on() {
	case "$(kvm_param "$1")" in
	Y|y|1) return 0 ;;
	*) return 1 ;;
	esac
}

backend_check() {
	local dev p
	dev=$(host_path /dev/kvm)
	qemu_check || return 1
	if ! "$QEMU" -cpu help 2>/dev/null </dev/null | grep -q -w vmx-ept; then
		echo "backend kvm: $QEMU knows no vmx-* CPU features (QEMU 5.1 or later needed to enforce them)"
		return 1
	fi
	if ! host_cpu_flag vmx; then
		echo "backend kvm: the host CPU has no vmx flag in /proc/cpuinfo (not an Intel CPU, VMX off in the firmware, or a VM without nested VMX); use -b bochs or -b tcg"
		return 1
	fi
	if [ ! -e "$dev" ]; then
		echo "backend kvm: /dev/kvm does not exist (load kvm_intel: modprobe kvm_intel; or use -b bochs or -b tcg)"
		return 1
	fi
	if [ -z "$HOST_ROOT" ] && [ ! -c "$dev" ]; then
		echo "backend kvm: /dev/kvm is not a character device"
		return 1
	fi
	if [ ! -r "$dev" ] || [ ! -w "$dev" ]; then
		echo "backend kvm: /dev/kvm is not readable and writable by $(id -un) (add the user to group kvm, or use -b bochs or -b tcg)"
		return 1
	fi
	if [ ! -d "$(host_path "$KVM_PARAMS")" ]; then
		echo "backend kvm: kvm_intel is not loaded ($KVM_PARAMS does not exist); modprobe kvm_intel nested=1"
		return 1
	fi
	for p in nested ept; do
		if ! kvm_on "$p"; then
			echo "backend kvm: kvm_intel.$p is off ($KVM_PARAMS/$p = $(kvm_param "$p")): the guest would get no $( [ $p = nested ] && echo VMX || echo EPT) and skip every check; as root: modprobe -r kvm_intel && modprobe kvm_intel nested=1 ept=1"
			return 1
		fi
	done
	qemu_pages_check || return 1
}

# The VMX features the suite needs (ept_env_init()), and those the host's
# kvm_intel offers (parameter -> QEMU feature -> require_vmx= word).
KVM_CPU_NEEDED=+vmx,+vmx-secondary-ctls,+vmx-ept,+vmx-page-walk-4,+vmx-invept
KVM_OFFERED="eptad:+vmx-eptad:ad unrestricted_guest:+vmx-unrestricted-guest:ug vpid:+vmx-vpid,+vmx-invvpid:"

# kvm_cpu: the -cpu value; kvm_require: the require_vmx= value
kvm_cpu() {
	local cpu=host,$KVM_CPU_NEEDED e p f
	for e in $KVM_OFFERED; do
		IFS=: read -r p f _ <<<"$e"
		kvm_on "$p" && cpu="$cpu,$f"
	done
	echo "$cpu,enforce"
}
kvm_require() {
	local req=1 e p w
	for e in $KVM_OFFERED; do
		IFS=: read -r p _ w <<<"$e"
		[ -n "$w" ] && kvm_on "$p" && req="$req,$w"
	done
	echo "$req"
}

# The deviation lists for this host kernel, general to specific: kvm, then
# every version-range list kvm-A.B-C.D / kvm-A.B+ that covers it (in
# scripts/deviations/), then kvm-X.Y (see the head of kvm.txt).
kvm_deviations() {
	local v=$1 lists=kvm f n lo hi vn
	vn=$(kvm_vnum "$v")
	for f in "$SRCDIR"/scripts/deviations/kvm-*.txt; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .txt)
		n=${n#kvm-}
		if [[ $n =~ ^([0-9]+\.[0-9]+)-([0-9]+\.[0-9]+)$ ]]; then
			lo=$(kvm_vnum "${BASH_REMATCH[1]}") hi=$(kvm_vnum "${BASH_REMATCH[2]}")
		elif [[ $n =~ ^([0-9]+\.[0-9]+)\+$ ]]; then
			lo=$(kvm_vnum "${BASH_REMATCH[1]}") hi=999999
		else
			continue
		fi
		[ -n "$vn" ] && [ "$vn" -ge "$lo" ] && [ "$vn" -le "$hi" ] && echo "$lo kvm-$n"
	done | sort -n -k1,1 | while read -r _ n; do printf ',%s' "$n"; done | {
		IFS= read -r r || true
		echo "$lists$r${v:+,kvm-$v}"
	}
}
# kvm_vnum MAJOR.MINOR: a number that sorts like the version
kvm_vnum() {
	[[ $1 =~ ^([0-9]+)\.([0-9]+)$ ]] || return 0
	echo $((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))
}

backend_prepare() {
	local p s=''
	qemu_prepare
	for p in nested ept eptad vpid unrestricted_guest; do
		s="$s $p=$(kvm_param "$p")"
	done
	QEMU_ENVIRONMENT=$(backend_environment)
	{
		echo "kvm: host $(host_kernel), QEMU $(qemu_version | cut -d' ' -f1); kvm_intel$s"
		echo "kvm: split-lock detection: $(host_split_lock); guest memory: $(qemu_pages_words)"
	} >&2
}
backend_describe() { qemu_describe "$@"; }
backend_cmdline_extra() {
	echo "deviations=$(kvm_deviations "$(host_kernel_version)") require_vmx=$(kvm_require)"
}
backend_note() { :; }
backend_diagnose() { qemu_diagnose "$@"; }
backend_exit_meaning() { qemu_exit_meaning "$@"; }
backend_environment() {
	local p s=''
	for p in nested ept eptad vpid unrestricted_guest; do
		s="$s $p=$(kvm_param "$p")"
	done
	qemu_environment
	echo "kvm_intel=${s# }"
	echo "split_lock=$(host_split_lock)"
	echo "qemu_cpu=$(kvm_cpu)"
}

# backend_run KERNEL CMDLINE SERIAL_LOG TIMEOUT CPU WORKDIR
backend_run() {
	qemu_run "$1" "$2" "$3" "$4" "$6" -accel kvm -cpu "$(kvm_cpu)"
}
