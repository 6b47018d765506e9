/*
 * vmx_basic: VMX operation itself, before any EPT.
 *
 * CPUID.VMX, IA32_FEATURE_CONTROL, VMXON/VMXOFF, the VMCS revision, the
 * VMCLEAR/VMPTRLD/VMREAD/VMWRITE round trip, a guest that runs and
 * VMCALLs back, and the VMfail results the SDM prescribes for misuse of
 * the VMX instructions (SDM 31.2 conventions, 31.3 instruction pages,
 * 31.4 error numbers).
 */
#include "libcflat.h"
#include "test.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vmx.h"

/* An outcome of a VMX instruction as one number: status and error. */
static uint64_t vmx_result(enum vmx_status s)
{
	return (uint64_t)s << 8 | (s == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
}

/* "VMfail(n)": VMfailValid(n) with a current VMCS, else VMfailInvalid
 * (SDM 31.2). */
static void expect_vmfail(const char *id, const char *what, enum vmx_status got,
			  bool current_vmcs, uint32_t error)
{
	if (current_vmcs)
		report_expect_u64(id, vmx_result(got), (uint64_t)VMX_FAIL_VALID << 8 | error,
				  "%s -> VMfailValid, error %u", what, error);
	else
		report_expect_u64(id, vmx_result(got), (uint64_t)VMX_FAIL_INVALID << 8,
				  "%s -> VMfailInvalid", what);
}

static void expect_vmsucceed(const char *id, const char *what, enum vmx_status got)
{
	report_expect_u64(id, vmx_result(got), VMX_SUCCEED, "%s -> VMsucceed", what);
}

static enum vmx_status vmlaunch_status(void)
{
	bool cf, zf;
	asm volatile("vmlaunch" : "=@ccc"(cf), "=@ccz"(zf) :: "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static enum vmx_status vmresume_status(void)
{
	bool cf, zf;
	asm volatile("vmresume" : "=@ccc"(cf), "=@ccz"(zf) :: "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static void guest_vmcall_done(void)
{
	guest_vmcall(GUEST_CALL_DONE, 0x5a5a);
}

/* Run the guest from @entry; it must come back with a VMCALL. */
static struct vmx_exit expect_vmcall(struct vcpu *vcpu, void (*entry)(void), const char *id,
				     const char *words)
{
	struct vmx_exit e;

	vcpu_set_entry(vcpu, entry, 0);
	e = vmx_run_guest(vcpu);
	if (!report_expect_u64(id, e.kind == VMX_EXIT_VMEXIT ? e.reason : ~0u,
			       EXIT_REASON_VMCALL, "%s -> exit 18 (VMCALL)", words))
		vmx_exit_report_info(&e);
	return e;
}

static void guest_spin(void)
{
	for (;;)
		asm volatile("pause");
}

static void do_vmxon(void *region)
{
	vmxon((uint64_t)(uintptr_t)region);
}

static void do_vmread(void *unused)
{
	uint64_t v;

	(void)unused;
	vmread(VMCS_GUEST_RIP, &v);
}

/* SDM 31.3 VMXON: #UD if CR4.VMXE = 0; VMREAD: #UD outside VMX operation */
static void check_ud_outside_vmx(void)
{
	uint64_t cr4 = read_cr4();

	write_cr4(cr4 & ~X86_CR4_VMXE);
	expect_exception("vmxon-vmxe-clear", "VMXON with CR4.VMXE = 0", UD_VECTOR,
			 do_vmxon, (void *)(uintptr_t)vmcs_alloc());
	expect_exception("vmread-outside", "VMREAD outside VMX operation", UD_VECTOR,
			 do_vmread, NULL);
	write_cr4(cr4);
}

/* The checks that need no VMX operation: the capability MSRs. */
static void check_basic_msr(void)
{
	uint64_t size = (vmx_caps.basic & VMX_BASIC_VMCS_SIZE_MASK) >> VMX_BASIC_VMCS_SIZE_SHIFT;

	/* SDM A.1: bit 31 is always 0; bits 44:32 give the region size, at
	 * most 4096; bit 48 is 0 on processors that support Intel 64 */
	report_expect_u64("basic.bit31", vmx_caps.basic >> 31 & 1, 0,
			  "IA32_VMX_BASIC bit 31 is 0 (basic=%#lx)", vmx_caps.basic);
	report_expect_u64("basic.size", size > 0 && size <= 4096, 1,
			  "VMCS region size %lu is in 1..4096", size);
	report_expect_u64("basic.addr-width", vmx_caps.basic >> 48 & 1, 0,
			  "IA32_VMX_BASIC bit 48 = 0 (addresses not limited to 32 bits)");
}

static void vmx_basic(void)
{
	uint64_t vmcs, fc, v;
	struct vcpu *vcpu;
	struct vmx_exit e;
	const char *why;
	enum vmx_status s;

	report_prefix_push("vmx.basic");
	if (!vmx_supported(&why)) {
		report_skip("vmx", "VMX operation", "%s", why);
		report_prefix_pop();
		return;
	}
	check_basic_msr();
	check_ud_outside_vmx();

	s = vmx_on();
	expect_vmsucceed("vmxon", "VMXON with a fresh region", s);
	if (s != VMX_SUCCEED) {
		report_prefix_pop();
		return;
	}

	/* SDM 24.7: VMXON outside SMX requires the lock and the enable bit */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	report_expect_u64("feature-control",
			  fc & (FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX),
			  FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX,
			  "IA32_FEATURE_CONTROL locked, VMXON outside SMX enabled");

	/* SDM 31.3 VMXON: in VMX root operation, VMfail(15) */
	expect_vmfail("vmxon-in-root", "VMXON in VMX root, no current VMCS",
		      vmxon(vmcs_alloc()), false, VMXERR_VMXON_IN_ROOT);

	/* VMCLEAR, VMPTRLD, VMPTRST, VMWRITE, VMREAD round trip */
	vmcs = vmcs_alloc();
	expect_vmsucceed("vmclear", "VMCLEAR of a new VMCS", vmclear(vmcs));
	expect_vmsucceed("vmptrld", "VMPTRLD of it", vmptrld(vmcs));
	report_expect_u64("vmptrst", vmptrst(), vmcs, "VMPTRST returns the current-VMCS pointer");
	expect_vmsucceed("vmwrite", "VMWRITE of guest RIP", vmwrite(VMCS_GUEST_RIP, 0x123456789abcull));
	v = 0;
	s = vmread(VMCS_GUEST_RIP, &v);
	report_expect_u64("vmread", s == VMX_SUCCEED ? v : ~0ull, 0x123456789abcull,
			  "VMREAD of guest RIP returns what VMWRITE wrote");

	expect_vmfail("vmxon-in-root-current", "VMXON in VMX root with a current VMCS",
		      vmxon(vmcs_alloc()), true, VMXERR_VMXON_IN_ROOT);

	/* SDM 31.3 VMREAD/VMWRITE: unsupported component -> VMfailValid(12) */
	expect_vmfail("vmread-unsupported", "VMREAD of unsupported field 0x7ffe",
		      vmread(0x7ffe, &v), true, VMXERR_UNSUPPORTED_VMCS_FIELD);
	expect_vmfail("vmwrite-unsupported", "VMWRITE of unsupported field 0x7ffe",
		      vmwrite(0x7ffe, 0), true, VMXERR_UNSUPPORTED_VMCS_FIELD);
	/* SDM 31.3 VMWRITE: a read-only field without "VMWRITE to any
	 * field" (IA32_VMX_MISC bit 29) -> VMfailValid(13) */
	if (vmx_caps.misc & VMX_MISC_VMWRITE_ANY_FIELD)
		report_skip("vmwrite-read-only", "VMWRITE of the exit-reason field",
			    "IA32_VMX_MISC bit 29 allows VMWRITE to read-only fields");
	else
		expect_vmfail("vmwrite-read-only", "VMWRITE of the read-only exit-reason field",
			      vmwrite(VMCS_EXIT_REASON, 0), true, VMXERR_VMWRITE_READ_ONLY_FIELD);

	/* SDM 31.3 VMPTRLD: revision mismatch -> VMfail(11); the VMXON
	 * pointer -> VMfail(10).  VMCLEAR of the VMXON pointer -> VMfail(3). */
	{
		uint64_t bad = vmcs_alloc();
		*(uint32_t *)(uintptr_t)bad ^= 1;
		expect_vmfail("vmptrld-revision", "VMPTRLD of a region with a wrong revision",
			      vmptrld(bad), true, VMXERR_VMPTRLD_BAD_REVISION);
	}
	expect_vmfail("vmptrld-vmxon-ptr", "VMPTRLD of the VMXON region",
		      vmptrld(vmx_vmxon_region()), true, VMXERR_VMPTRLD_VMXON_PTR);
	expect_vmfail("vmclear-vmxon-ptr", "VMCLEAR of the VMXON region",
		      vmclear(vmx_vmxon_region()), true, VMXERR_VMCLEAR_VMXON_PTR);

	/* SDM 31.3 VMRESUME: a VMCS whose launch state is clear -> VMfailValid(5) */
	vmclear(vmcs);
	vmptrld(vmcs);
	expect_vmfail("vmresume-clear", "VMRESUME with a clear VMCS", vmresume_status(), true,
		      VMXERR_VMRESUME_NONLAUNCHED_VMCS);

	/* A guest that runs and calls back: exit reason 18 (VMCALL) */
	vcpu = vcpu_create();
	e = expect_vmcall(vcpu, guest_vmcall_done, "guest-vmcall", "VMLAUNCH of the default 64-bit guest");
	report_expect_u64("guest-vmcall.rdi", e.regs.rdi, 0x5a5a,
			  "the guest's RDI arrives at the host (0x5a5a)");
	/* SDM 28.2.5: a VMCALL exit saves the instruction's length (3 bytes,
	 * 0F 01 C1) in the VM-exit instruction-length field */
	report_expect_u64("vmcall-length", e.instruction_len, 3,
			  "VMCALL exit: instruction length 3");

	/* SDM 31.3 VMLAUNCH: a launched VMCS -> VMfailValid(4) */
	expect_vmfail("vmlaunch-launched", "VMLAUNCH with a launched VMCS", vmlaunch_status(), true,
		      VMXERR_VMLAUNCH_NONCLEAR_VMCS);

	/* And VMRESUME of it works */
	expect_vmcall(vcpu, guest_vmcall_done, "vmresume", "VMRESUME of the launched guest");

	/* SDM 26.5.1: with "activate VMX-preemption timer", a guest that never
	 * exits by itself exits with reason 52 when the timer counts down */
	if (vmx_ctl_allowed(&vmx_caps.pin, PIN_PREEMPTION_TIMER)) {
		vcpu_set_entry(vcpu, guest_spin, 0);
		e = vmx_run_guest(vcpu);
		if (!report_expect_u64("preemption-timer", e.kind == VMX_EXIT_VMEXIT ? e.reason : ~0u,
				       EXIT_REASON_PREEMPTION_TIMER,
				       "a spinning guest -> exit 52 (VMX-preemption timer expired)"))
			vmx_exit_report_info(&e);
	} else {
		report_skip("preemption-timer", "a spinning guest -> exit 52",
			    "IA32_VMX_PINBASED_CTLS allowed-1 bit 6 (preemption timer) = 0");
	}

	expect_vmsucceed("vmxoff", "VMXOFF", vmx_off());
	report_expect_u64("cr4-vmxe-clear", read_cr4() & X86_CR4_VMXE, 0,
			  "CR4.VMXE is clear again after VMXOFF");
	report_prefix_pop();
}

TEST("vmx_basic", vmx_basic);
