/*
 * vmx_basic: VMX operation itself, before any EPT.
 *
 * CPUID.VMX, IA32_FEATURE_CONTROL, VMXON/VMXOFF, the VMCS revision, the
 * VMCLEAR/VMPTRLD/VMREAD/VMWRITE round trip, a guest that runs and
 * VMCALLs back, and the VMfail results the SDM prescribes for misuse of
 * the VMX instructions (SDM 31.2 conventions, 31.3 instruction pages,
 * 31.4 error numbers).
 *
 * Every case is one entry of a table and sets up the VMX state it needs
 * itself (outside VMX operation, in VMX root operation with or without a
 * current VMCS, a clear or a launched guest VMCS), so the cases run in
 * any order (shuffle=SEED).
 *
 * Fields compared: insn_err for a VMX instruction's result (VMsucceed,
 * VMfailInvalid, VMfailValid and the VM-instruction error), vector for
 * an exception, reason and idt_vec for a VM exit, value for an MSR bit
 * or a register the SDM defines.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/desc.h"
#include "x86/ept_env.h"
#include "x86/processor.h"
#include "x86/vmx.h"

/* "VMfail(n)": VMfailValid(n) with a current VMCS, else VMfailInvalid
 * (SDM 31.2). */
static void expect_vmfail(const char *id, const char *what, enum vmx_status got,
			  bool current_vmcs, uint32_t error)
{
	if (current_vmcs)
		report_expect_mask(id, "insn_err", vmx_insn_result(got), error, VMX_INSN_MASK,
				   "%s -> VMfailValid, error %u", what, error);
	else
		report_expect_mask(id, "insn_err", vmx_insn_result(got), VMX_INSN_FAIL_INVALID,
				   VMX_INSN_FAIL_INVALID, "%s -> VMfailInvalid", what);
}

static void expect_vmsucceed(const char *id, const char *what, enum vmx_status got)
{
	report_expect_mask(id, "insn_err", vmx_insn_result(got), 0, VMX_INSN_MASK, "%s -> VMsucceed", what);
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

#define GUEST_RDI_VALUE 0x5a5a

static void guest_vmcall_done(void)
{
	guest_vmcall(GUEST_CALL_DONE, GUEST_RDI_VALUE);
}

static void guest_spin(void)
{
	for (;;)
		asm volatile("pause");
}

/* A VM exit with @reason, neither caused by nor during event delivery
 * (SDM 28.2.2, 28.2.4: VM-exit interruption information and IDT-vectoring
 * information not valid).  Returns whether it matched. */
static bool expect_exit(const char *id, const char *words, const struct vmx_exit *e,
			uint32_t reason)
{
	struct outcome want = { 0 }, got = { 0 };
	bool pass;

	outcome_set(&want, FLD_REASON, reason, 0xffffffffu);
	outcome_set(&want, FLD_IDT_VEC, 0, INTR_INFO_VALID);
	outcome_set(&want, FLD_VECTOR, 0, INTR_INFO_VALID);
	snprintf(want.describe, sizeof(want.describe), "exit %u (%s)", reason,
		 vmx_exit_reason_name(reason));
	outcome_got_exit(&got, e);
	pass = outcome_check(id, words, &want, &got);
	if (!pass)
		vmx_exit_report_info(e);
	return pass;
}

/* ---- the VMX state a case starts from ---- */

struct basic {
	bool on;		/* in VMX root operation */
	struct vcpu *vcpu;	/* the default 64-bit guest */
};

static void state_outside(struct basic *b)
{
	uint64_t cur;

	if (!b->on)
		return;
	/* VMCLEAR first so the VMCS data are in memory (SDM 24.11.1) */
	cur = vmptrst();
	if (cur != ~0ull)
		vmclear(cur);
	vmx_force_off();
	b->on = false;
}

static void state_root(struct basic *b)
{
	if (b->on)
		return;
	vmx_on_or_abort();
	b->on = true;
}

/* In VMX root operation with no current VMCS: VMCLEAR of the current
 * VMCS makes the current-VMCS pointer invalid (SDM 31.3 VMCLEAR). */
static void state_no_vmcs(struct basic *b)
{
	uint64_t cur;

	state_root(b);
	cur = vmptrst();
	if (cur != ~0ull)
		vmclear(cur);
}

/* A new VMCS, clear and current.  Returns its address. */
static uint64_t state_fresh_vmcs(struct basic *b)
{
	uint64_t vmcs;

	state_root(b);
	vmcs = vmcs_alloc();
	vmclear(vmcs);
	vmptrld(vmcs);
	return vmcs;
}

/* The guest's VMCS, current, launch state clear. */
static struct vcpu *state_guest_clear(struct basic *b)
{
	state_root(b);
	if (!b->vcpu)
		b->vcpu = vcpu_create();
	vmclear(b->vcpu->vmcs);
	vmptrld(b->vcpu->vmcs);
	b->vcpu->launched = false;
	return b->vcpu;
}

/* The guest's VMCS, current and launched (it ran once).  Returns false
 * when the launch did not come back with a VMCALL. */
static bool state_guest_launched(struct basic *b, struct vcpu **out)
{
	struct vcpu *v = state_guest_clear(b);
	struct vmx_exit e;

	vcpu_set_entry(v, guest_vmcall_done, 0);
	e = vmx_run_guest(v);
	*out = v;
	return e.kind == VMX_EXIT_VMEXIT && e.reason == EXIT_REASON_VMCALL;
}

/* ---- the cases ---- */

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

static void do_write_cr4(void *value)
{
	write_cr4((uint64_t)(uintptr_t)value);
}

static void do_wrmsr_feature_control(void *value)
{
	wrmsr(MSR_IA32_FEATURE_CONTROL, (uint64_t)(uintptr_t)value);
}

/* SDM A.1: bit 31 is always 0; bits 44:32 give the region size, at most
 * 4096; bit 48 is 0 on processors that support Intel 64. */
static void case_basic_bit31(struct basic *b)
{
	(void)b;
	report_expect_mask("basic.bit31", "value", vmx_caps.basic, 0, BIT(31),
			   "IA32_VMX_BASIC bit 31 is 0 (basic=%#lx)", vmx_caps.basic);
}

static void case_basic_size(struct basic *b)
{
	uint64_t size = (vmx_caps.basic & VMX_BASIC_VMCS_SIZE_MASK) >> VMX_BASIC_VMCS_SIZE_SHIFT;

	(void)b;
	report_expect_mask("basic.size", "value", size > 0 && size <= 4096, 1, 1,
			   "VMCS region size %lu is in 1..4096", size);
}

static void case_basic_addr_width(struct basic *b)
{
	(void)b;
	report_expect_mask("basic.addr-width", "value", vmx_caps.basic, 0, BIT(48),
			   "IA32_VMX_BASIC bit 48 = 0 (addresses not limited to 32 bits)");
}

/* SDM 31.3 VMXON: #UD if CR4.VMXE = 0 */
static void case_vmxon_vmxe_clear(struct basic *b)
{
	uint64_t cr4;

	state_outside(b);
	cr4 = read_cr4();
	write_cr4(cr4 & ~X86_CR4_VMXE);
	expect_exception("vmxon-vmxe-clear", "VMXON with CR4.VMXE = 0", UD_VECTOR,
			 do_vmxon, (void *)(uintptr_t)vmcs_alloc());
	write_cr4(cr4);
}

/* SDM 31.3 VMREAD: #UD outside VMX operation */
static void case_vmread_outside(struct basic *b)
{
	uint64_t cr4;

	state_outside(b);
	cr4 = read_cr4();
	write_cr4(cr4 & ~X86_CR4_VMXE);
	expect_exception("vmread-outside", "VMREAD outside VMX operation", UD_VECTOR,
			 do_vmread, NULL);
	write_cr4(cr4);
}

/* The same with CR4.VMXE = 1: it is VMX operation, not CR4.VMXE, that
 * VMREAD needs, so a VMXOFF that did not leave VMX operation shows. */
static void case_vmread_after_vmxoff(struct basic *b)
{
	uint64_t cr4;

	state_root(b);
	state_outside(b);
	cr4 = read_cr4();
	write_cr4(cr4 | X86_CR4_VMXE);
	expect_exception("vmread-after-vmxoff", "VMREAD after VMXOFF, CR4.VMXE = 1", UD_VECTOR,
			 do_vmread, NULL);
	write_cr4(cr4);
}

static void case_vmxon(struct basic *b)
{
	enum vmx_status s;

	state_outside(b);
	s = vmx_on();
	b->on = s == VMX_SUCCEED;
	expect_vmsucceed("vmxon", "VMXON with a fresh region", s);
}

/* SDM 24.7: once the lock bit of IA32_FEATURE_CONTROL is set, WRMSR to
 * it causes #GP(0) until a reset; VMXON outside SMX succeeds only with
 * the lock bit set (31.3 VMXON), so in VMX operation it is set. */
static void case_feature_control(struct basic *b)
{
	uint64_t fc;

	state_root(b);
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	expect_exception("feature-control",
			 "in VMX operation (IA32_FEATURE_CONTROL locked), WRMSR of its own value",
			 GP_VECTOR, do_wrmsr_feature_control, (void *)(uintptr_t)fc);
}

/* SDM 24.8: in VMX operation CR4.VMXE is fixed to 1 (IA32_VMX_CR4_FIXED0
 * bit 13); MOV to CR4 clearing it causes #GP(0). */
static void case_cr4_vmxe_in_vmx(struct basic *b)
{
	state_root(b);
	expect_exception("cr4-vmxe-in-vmx", "MOV to CR4 clearing VMXE in VMX operation",
			 GP_VECTOR, do_write_cr4, (void *)(uintptr_t)(read_cr4() & ~X86_CR4_VMXE));
}

/* Outside VMX operation the fixed bits do not apply: after VMXOFF, MOV to
 * CR4 may set and clear VMXE. */
static void case_cr4_vmxe_clear(struct basic *b)
{
	uint64_t cr4;
	int vec;

	state_root(b);
	state_outside(b);
	cr4 = read_cr4();
	write_cr4(cr4 | X86_CR4_VMXE);
	vec = catch_exception(do_write_cr4, (void *)(uintptr_t)(cr4 & ~X86_CR4_VMXE), NULL);
	/* vector field: the exception's vector, or bit 8 for none */
	report_expect_mask("cr4-vmxe-clear", "vector", vec < 0 ? BIT(8) : (uint64_t)vec, BIT(8),
			   BIT(8), "after VMXOFF, MOV to CR4 clearing VMXE -> no exception");
	write_cr4(cr4);
}

/* SDM 31.3 VMXON: in VMX root operation, VMfail(15) */
static void case_vmxon_in_root(struct basic *b)
{
	state_no_vmcs(b);
	expect_vmfail("vmxon-in-root", "VMXON in VMX root, no current VMCS",
		      vmxon(vmcs_alloc()), false, VMXERR_VMXON_IN_ROOT);
}

static void case_vmxon_in_root_current(struct basic *b)
{
	state_fresh_vmcs(b);
	expect_vmfail("vmxon-in-root-current", "VMXON in VMX root with a current VMCS",
		      vmxon(vmcs_alloc()), true, VMXERR_VMXON_IN_ROOT);
}

/* VMCLEAR, VMPTRLD, VMPTRST, VMWRITE, VMREAD round trip */
static void case_vmclear(struct basic *b)
{
	state_no_vmcs(b);
	expect_vmsucceed("vmclear", "VMCLEAR of a new VMCS", vmclear(vmcs_alloc()));
}

static void case_vmptrld(struct basic *b)
{
	uint64_t vmcs;

	state_no_vmcs(b);
	vmcs = vmcs_alloc();
	vmclear(vmcs);
	expect_vmsucceed("vmptrld", "VMPTRLD of a new, clear VMCS", vmptrld(vmcs));
}

static void case_vmptrst(struct basic *b)
{
	uint64_t vmcs = state_fresh_vmcs(b);

	report_expect_u64("vmptrst", "value", vmptrst(), vmcs,
			  "VMPTRST returns the current-VMCS pointer");
}

#define RIP_VALUE 0x123456789abcull

static void case_vmwrite(struct basic *b)
{
	state_fresh_vmcs(b);
	expect_vmsucceed("vmwrite", "VMWRITE of guest RIP", vmwrite(VMCS_GUEST_RIP, RIP_VALUE));
}

static void case_vmread(struct basic *b)
{
	struct check_field f[2] = { { "insn_err", 0, 0, VMX_INSN_MASK }, { "value", 0, RIP_VALUE, ~0ull } };
	uint64_t v = 0;

	state_fresh_vmcs(b);
	vmwrite(VMCS_GUEST_RIP, RIP_VALUE);
	f[0].got = vmx_insn_result(vmread(VMCS_GUEST_RIP, &v));
	f[1].got = v;
	report_fields("vmread", f, 2, "VMREAD of guest RIP -> VMsucceed, what VMWRITE wrote");
}

/* SDM 31.3 VMREAD/VMWRITE: unsupported component -> VMfailValid(12) */
#define UNSUPPORTED_FIELD 0x7ffe

static void case_vmread_unsupported(struct basic *b)
{
	uint64_t v;

	state_fresh_vmcs(b);
	expect_vmfail("vmread-unsupported", "VMREAD of unsupported field 0x7ffe",
		      vmread(UNSUPPORTED_FIELD, &v), true, VMXERR_UNSUPPORTED_VMCS_FIELD);
}

static void case_vmwrite_unsupported(struct basic *b)
{
	state_fresh_vmcs(b);
	expect_vmfail("vmwrite-unsupported", "VMWRITE of unsupported field 0x7ffe",
		      vmwrite(UNSUPPORTED_FIELD, 0), true, VMXERR_UNSUPPORTED_VMCS_FIELD);
}

/* SDM 31.3 VMWRITE: a read-only field without "VMWRITE to any field"
 * (IA32_VMX_MISC bit 29) -> VMfailValid(13) */
static void case_vmwrite_read_only(struct basic *b)
{
	if (vmx_caps.misc & VMX_MISC_VMWRITE_ANY_FIELD) {
		report_skip("vmwrite-read-only", "VMWRITE of the exit-reason field",
			    "IA32_VMX_MISC bit 29 allows VMWRITE to read-only fields");
		return;
	}
	state_fresh_vmcs(b);
	expect_vmfail("vmwrite-read-only", "VMWRITE of the read-only exit-reason field",
		      vmwrite(VMCS_EXIT_REASON, 0), true, VMXERR_VMWRITE_READ_ONLY_FIELD);
}

/* SDM 31.3 VMPTRLD: revision mismatch -> VMfail(11); the VMXON pointer ->
 * VMfail(10).  VMCLEAR of the VMXON pointer -> VMfail(3). */
static void case_vmptrld_revision(struct basic *b)
{
	uint64_t bad;

	state_fresh_vmcs(b);
	bad = vmcs_alloc();
	*(uint32_t *)(uintptr_t)bad ^= 1;
	expect_vmfail("vmptrld-revision", "VMPTRLD of a region with a wrong revision",
		      vmptrld(bad), true, VMXERR_VMPTRLD_BAD_REVISION);
}

static void case_vmptrld_vmxon_ptr(struct basic *b)
{
	state_fresh_vmcs(b);
	expect_vmfail("vmptrld-vmxon-ptr", "VMPTRLD of the VMXON region",
		      vmptrld(vmx_vmxon_region()), true, VMXERR_VMPTRLD_VMXON_PTR);
}

static void case_vmclear_vmxon_ptr(struct basic *b)
{
	state_fresh_vmcs(b);
	expect_vmfail("vmclear-vmxon-ptr", "VMCLEAR of the VMXON region",
		      vmclear(vmx_vmxon_region()), true, VMXERR_VMCLEAR_VMXON_PTR);
}

/* SDM 31.3 VMRESUME: a VMCS whose launch state is clear -> VMfailValid(5) */
static void case_vmresume_clear(struct basic *b)
{
	state_fresh_vmcs(b);
	expect_vmfail("vmresume-clear", "VMRESUME with a clear VMCS", vmresume_status(), true,
		      VMXERR_VMRESUME_NONLAUNCHED_VMCS);
}

/* A guest that runs and calls back: exit reason 18 (VMCALL); SDM 28.2.5:
 * the exit saves the instruction's length, 3 (0F 01 C1). */
static void case_guest_vmcall(struct basic *b)
{
	struct vcpu *v = state_guest_clear(b);
	struct vmx_exit e;

	vcpu_set_entry(v, guest_vmcall_done, 0);
	e = vmx_run_guest(v);
	expect_exit("guest-vmcall", "VMLAUNCH of the default 64-bit guest", &e, EXIT_REASON_VMCALL);
	report_expect_u64("guest-vmcall.rdi", "value", e.regs.rdi, GUEST_RDI_VALUE,
			  "the guest's RDI arrives at the host (%#x)", GUEST_RDI_VALUE);
	report_expect_mask("vmcall-length", "value", e.instruction_len, 3, 0xffffffffu,
			   "VMCALL exit: instruction length 3");
}

/* SDM 31.3 VMLAUNCH: a launched VMCS -> VMfailValid(4) */
static void case_vmlaunch_launched(struct basic *b)
{
	struct vcpu *v;

	if (!state_guest_launched(b, &v)) {
		report(false, "vmlaunch-launched", "the guest's first VMLAUNCH did not come back with a VMCALL");
		return;
	}
	expect_vmfail("vmlaunch-launched", "VMLAUNCH with a launched VMCS", vmlaunch_status(), true,
		      VMXERR_VMLAUNCH_NONCLEAR_VMCS);
}

static void case_vmresume(struct basic *b)
{
	struct vcpu *v;
	struct vmx_exit e;

	if (!state_guest_launched(b, &v)) {
		report(false, "vmresume", "the guest's first VMLAUNCH did not come back with a VMCALL");
		return;
	}
	vcpu_set_entry(v, guest_vmcall_done, 0);
	e = vmx_run_guest(v);
	expect_exit("vmresume", "VMRESUME of the launched guest", &e, EXIT_REASON_VMCALL);
}

/* SDM 26.5.1: with "activate VMX-preemption timer", a guest that never
 * exits by itself exits with reason 52 when the timer counts down */
static void case_preemption_timer(struct basic *b)
{
	struct vcpu *v;
	struct vmx_exit e;

	if (!vmx_ctl_allowed(&vmx_caps.pin, PIN_PREEMPTION_TIMER)) {
		report_skip("preemption-timer", "a spinning guest -> exit 52",
			    "IA32_VMX_PINBASED_CTLS allowed-1 bit 6 (preemption timer) = 0");
		return;
	}
	v = state_guest_clear(b);
	vcpu_set_entry(v, guest_spin, 0);
	e = vmx_run_guest(v);
	expect_exit("preemption-timer", "a spinning guest", &e, EXIT_REASON_PREEMPTION_TIMER);
}

static void case_vmxoff(struct basic *b)
{
	enum vmx_status s;

	state_no_vmcs(b);
	s = vmx_off();
	b->on = s != VMX_SUCCEED;
	expect_vmsucceed("vmxoff", "VMXOFF", s);
}

static void (*const basic_cases[])(struct basic *) = {
	case_basic_bit31, case_basic_size, case_basic_addr_width,
	case_vmxon_vmxe_clear, case_vmread_outside, case_vmxon, case_feature_control,
	case_vmxon_in_root, case_vmclear, case_vmptrld, case_vmptrst, case_vmwrite,
	case_vmread, case_vmxon_in_root_current, case_vmread_unsupported,
	case_vmwrite_unsupported, case_vmwrite_read_only, case_vmptrld_revision,
	case_vmptrld_vmxon_ptr, case_vmclear_vmxon_ptr, case_vmresume_clear,
	case_guest_vmcall, case_vmlaunch_launched, case_vmresume, case_preemption_timer,
	case_vmxoff, case_cr4_vmxe_in_vmx, case_cr4_vmxe_clear, case_vmread_after_vmxoff,
};

static void basic_case(void *ctx, unsigned i)
{
	basic_cases[i](ctx);
}

static void vmx_basic(void)
{
	static struct basic b;
	const char *why;

	memset(&b, 0, sizeof(b));
	report_prefix_push("vmx.basic");
	if (!vmx_supported(&why)) {
		report_skip("vmx", "VMX operation", "%s", why);
		report_prefix_pop();
		return;
	}
	cases_run(ARRAY_SIZE(basic_cases), basic_case, &b);
	state_outside(&b);
	report_prefix_pop();
}

TEST("vmx_basic", vmx_basic);
