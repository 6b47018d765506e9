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
#include "x86/processor.h"
#include "x86/vmx.h"

/* "VMfail(n)": VMfailValid(n) with a current VMCS, else VMfailInvalid
 * (SDM 31.2). */
static bool check_vmfail(const char *id, const char *what, enum vmx_status got,
			 bool current_vmcs, uint32_t want_error)
{
	uint32_t err = got == VMX_FAIL_VALID ? vmx_instruction_error() : 0;
	enum vmx_status want = current_vmcs ? VMX_FAIL_VALID : VMX_FAIL_INVALID;
	bool pass = got == want && (want != VMX_FAIL_VALID || err == want_error);

	if (want == VMX_FAIL_VALID)
		report(pass, id, "%s -> VMfailValid, error %u", what, want_error);
	else
		report(pass, id, "%s -> VMfailInvalid", what);
	if (!pass)
		report_info("got %s, VM-instruction error %u", vmx_status_name(got), err);
	return pass;
}

static void guest_vmcall_done(void)
{
	guest_vmcall(GUEST_CALL_DONE, 0x5a5a);
}

static void vmx_basic(void)
{
	const char *why;
	uint64_t vmcs, fc, v = 0;
	struct vcpu *vcpu;
	struct vmx_exit e;
	enum vmx_status s;

	report_prefix_push("vmx.basic");
	if (!vmx_supported(&why)) {
		report_skip("cpuid", "CPUID.1:ECX.VMX = 1", "%s", why);
		report_prefix_pop();
		return;
	}
	report(true, "cpuid", "CPUID.1:ECX.VMX = 1");

	/* SDM A.1: bits 30:0 revision, bit 31 always 0; bits 44:32 region size
	 * at most 4096; bit 48 is 0 on processors with Intel 64 */
	report(!(vmx_caps.basic & BIT(31)), "basic.bit31", "IA32_VMX_BASIC bit 31 is 0 (basic=%#lx)",
	       vmx_caps.basic);
	v = (vmx_caps.basic & VMX_BASIC_VMCS_SIZE_MASK) >> VMX_BASIC_VMCS_SIZE_SHIFT;
	report(v > 0 && v <= 4096, "basic.size", "VMCS region size %lu in 1..4096", v);
	report(!(vmx_caps.basic & VMX_BASIC_PHYS_ADDR_32BIT), "basic.addr-width",
	       "IA32_VMX_BASIC bit 48 = 0 (physical addresses not limited to 32 bits)");

	if (!vmx_on()) {
		report_prefix_pop();
		return;
	}
	report(true, "vmxon", "VMXON with a fresh region -> VMsucceed");

	/* SDM 24.7: VMXON outside SMX requires the lock and the enable bit */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	report((fc & FEATURE_CONTROL_LOCK) && (fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX),
	       "feature-control", "IA32_FEATURE_CONTROL locked with VMXON outside SMX (%#lx)", fc);

	/* SDM 31.3 VMXON: in VMX root operation, VMfail(15) */
	check_vmfail("vmxon-in-root", "VMXON in VMX root, no current VMCS",
		     vmxon(vmcs_alloc()), false, VMXERR_VMXON_IN_ROOT);

	/* VMCLEAR, VMPTRLD, VMPTRST, VMWRITE, VMREAD round trip */
	vmcs = vmcs_alloc();
	s = vmclear(vmcs);
	report(s == VMX_SUCCEED, "vmclear", "VMCLEAR of a new VMCS -> VMsucceed (got %s)",
	       vmx_status_name(s));
	s = vmptrld(vmcs);
	report(s == VMX_SUCCEED, "vmptrld", "VMPTRLD -> VMsucceed (got %s)", vmx_status_name(s));
	report(vmptrst() == vmcs, "vmptrst", "VMPTRST returns the current-VMCS pointer %#lx", vmcs);
	s = vmwrite(VMCS_GUEST_RIP, 0x123456789abcull);
	report(s == VMX_SUCCEED, "vmwrite", "VMWRITE guest RIP -> VMsucceed (got %s)",
	       vmx_status_name(s));
	v = 0;
	s = vmread(VMCS_GUEST_RIP, &v);
	report(s == VMX_SUCCEED && v == 0x123456789abcull, "vmread",
	       "VMREAD guest RIP returns what VMWRITE wrote (got %#lx, %s)", v, vmx_status_name(s));

	check_vmfail("vmxon-in-root-current", "VMXON in VMX root with a current VMCS",
		     vmxon(vmcs_alloc()), true, VMXERR_VMXON_IN_ROOT);

	/* SDM 31.3 VMREAD/VMWRITE: unsupported component -> VMfailValid(12) */
	check_vmfail("vmread-unsupported", "VMREAD of unsupported field 0x7ffe",
		     vmread(0x7ffe, &v), true, VMXERR_UNSUPPORTED_VMCS_FIELD);
	check_vmfail("vmwrite-unsupported", "VMWRITE of unsupported field 0x7ffe",
		     vmwrite(0x7ffe, 0), true, VMXERR_UNSUPPORTED_VMCS_FIELD);
	/* SDM 31.3 VMWRITE: a read-only field without "VMWRITE to any
	 * field" (IA32_VMX_MISC bit 29) -> VMfailValid(13) */
	if (vmx_caps.misc & VMX_MISC_VMWRITE_ANY_FIELD)
		report_skip("vmwrite-read-only", "VMWRITE of the exit-reason field",
			    "IA32_VMX_MISC bit 29 allows VMWRITE to read-only fields");
	else
		check_vmfail("vmwrite-read-only", "VMWRITE of the read-only exit-reason field",
			     vmwrite(VMCS_EXIT_REASON, 0), true, VMXERR_VMWRITE_READ_ONLY_FIELD);

	/* SDM 31.3 VMPTRLD: revision mismatch -> VMfail(11); the VMXON
	 * pointer -> VMfail(10).  VMCLEAR of the VMXON pointer -> VMfail(3). */
	{
		uint64_t bad = vmcs_alloc();
		*(uint32_t *)(uintptr_t)bad ^= 1;
		check_vmfail("vmptrld-revision", "VMPTRLD of a region with a wrong revision",
			     vmptrld(bad), true, VMXERR_VMPTRLD_BAD_REVISION);
	}
	check_vmfail("vmptrld-vmxon-ptr", "VMPTRLD of the VMXON region",
		     vmptrld(vmx_vmxon_region()), true, VMXERR_VMPTRLD_VMXON_PTR);
	check_vmfail("vmclear-vmxon-ptr", "VMCLEAR of the VMXON region",
		     vmclear(vmx_vmxon_region()), true, VMXERR_VMCLEAR_VMXON_PTR);

	/* SDM 31.3 VMRESUME: a VMCS whose launch state is clear -> VMfailValid(5) */
	s = vmclear(vmcs);
	if (s == VMX_SUCCEED)
		s = vmptrld(vmcs);
	{
		bool cf, zf;
		asm volatile("vmresume" : "=@ccc"(cf), "=@ccz"(zf) :: "memory");
		check_vmfail("vmresume-clear", "VMRESUME with a clear VMCS",
			     VMX_STATUS_FROM_FLAGS(cf, zf), true, VMXERR_VMRESUME_NONLAUNCHED_VMCS);
	}

	/* A guest that runs and calls back: exit reason 18 (VMCALL) */
	vcpu = vcpu_create();
	vcpu_set_entry(vcpu, guest_vmcall_done, 0);
	e = vmx_run_guest(vcpu);
	if (!report(e.kind == VMX_EXIT_VMEXIT && e.reason == EXIT_REASON_VMCALL &&
		    e.regs.rdi == 0x5a5a, "guest-vmcall",
		    "VMLAUNCH of the default 64-bit guest -> exit 18 (VMCALL), rdi 0x5a5a"))
		vmx_exit_report_info(&e);
	/* SDM 28.2.5: a VMCALL exit saves the instruction's length (3 bytes,
	 * 0F 01 C1) in the VM-exit instruction-length field */
	report(e.instruction_len == 3, "vmcall-length", "VMCALL exit: instruction length 3 (got %u)",
	       e.instruction_len);

	/* SDM 31.3 VMLAUNCH: a launched VMCS -> VMfailValid(4) */
	{
		bool cf, zf;
		asm volatile("vmlaunch" : "=@ccc"(cf), "=@ccz"(zf) :: "memory");
		check_vmfail("vmlaunch-launched", "VMLAUNCH with a launched VMCS",
			     VMX_STATUS_FROM_FLAGS(cf, zf), true, VMXERR_VMLAUNCH_NONCLEAR_VMCS);
	}

	/* And VMRESUME of it works: the guest's next instruction returns */
	vcpu_skip_instruction(vcpu, &e);
	vcpu_set_entry(vcpu, guest_vmcall_done, 0);
	e = vmx_run_guest(vcpu);
	if (!report(e.kind == VMX_EXIT_VMEXIT && e.reason == EXIT_REASON_VMCALL, "vmresume",
		    "VMRESUME of the launched guest -> exit 18 (VMCALL)"))
		vmx_exit_report_info(&e);

	s = vmx_off();
	report(s == VMX_SUCCEED, "vmxoff", "VMXOFF -> VMsucceed (got %s)", vmx_status_name(s));
	report(!(read_cr4() & X86_CR4_VMXE), "cr4-vmxe-clear",
	       "CR4.VMXE can be cleared after VMXOFF");
	report_prefix_pop();
}

TEST("vmx_basic", vmx_basic);
