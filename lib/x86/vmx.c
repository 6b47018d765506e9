#include "libcflat.h"
#include "test.h"
#include "x86/processor.h"
#include "x86/alloc.h"
#include "x86/desc.h"
#include "x86/vmx.h"
#include "x86/profile.h"

struct vmx_caps vmx_caps;
static bool vmx_active;
static uint64_t vmxon_region;
static uint64_t saved_cr0, saved_cr4;

/* Default bound on one guest run: about 2^24 TSC cycles (a few ms on
 * hardware, well under a second on Bochs).  Guests here run tens to
 * hundreds of instructions; only a hung guest gets near the bound.  The
 * timer counts down once every 2^rate TSC cycles (SDM 26.5.1, A.6).
 * Under a hypervisor (CPUID.1:ECX[31]) the timer is emulated in wall-clock
 * time and any delay of the host counts: 2^30 cycles (a few hundred ms).
 * Kernel option preempt_bound=CYCLES sets it. */
#define PREEMPTION_BOUND_TSC          (1ull << 24)
#define PREEMPTION_BOUND_TSC_HYPERV   (1ull << 30)

static uint64_t preempt_bound;		/* 0: the default above */
static unsigned vmx_required;		/* enum vmx_require bits */

static const struct {
	const char *word;
	unsigned bits;
} require_words[] = {
	{ "0", 0 },
	{ "1", VMX_REQ_BASE },
	{ "ad", VMX_REQ_BASE | VMX_REQ_EPT_AD },
	{ "ug", VMX_REQ_BASE | VMX_REQ_UG },
};

static void set_required(const char *list)
{
	const char *w = list;

	vmx_required = 0;
	while (*w) {
		size_t len = strchr(w, ',') ? (size_t)(strchr(w, ',') - w) : strlen(w);
		unsigned i;

		for (i = 0; i < ARRAY_SIZE(require_words); i++)
			if (strlen(require_words[i].word) == len &&
			    !strncmp(require_words[i].word, w, len))
				break;
		if (i < ARRAY_SIZE(require_words))
			vmx_required |= require_words[i].bits;
		else
			printf("# eptest: require_vmx: ignoring unknown word '%.*s' (want 0, 1, ad, ug)\n",
			       (int)len, w);
		w += len + (w[len] == ',');
	}
}

bool vmx_option(const char *word)
{
	if (!strncmp(word, "require_vmx=", 12)) {
		set_required(word + 12);
		return true;
	}
	if (!strncmp(word, "preempt_bound=", 14)) {
		preempt_bound = strtoul(word + 14, NULL, 0);
		return true;
	}
	return false;
}

const char *vmx_missing(unsigned what, const char *why)
{
	static const char *const promise[] = {
		"require_vmx=1 promised VMX with EPT",
		"require_vmx=ad promised EPT accessed/dirty flags",
		"require_vmx=ug promised unrestricted guest",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(promise); i++)
		if (what & vmx_required & (1u << i))
			report_skip_fails(why, promise[i]);
	return why;
}

static uint64_t preemption_bound_tsc(void)
{
	if (preempt_bound)
		return preempt_bound;
	return cpu_has_hypervisor() ? PREEMPTION_BOUND_TSC_HYPERV : PREEMPTION_BOUND_TSC;
}

static struct vmx_ctls read_ctls(uint32_t msr)
{
	uint64_t v = rdmsr(msr);
	/* SDM A.3.1: bits 31:0 allowed 0-settings, 63:32 allowed 1-settings */
	return (struct vmx_ctls){ (uint32_t)v, (uint32_t)(v >> 32) };
}

bool vmx_supported(const char **why)
{
	uint64_t fc;
	bool true_ctls;

	if (!cpu_has_vmx()) {
		*why = vmx_missing(VMX_REQ_BASE, "CPUID.1:ECX.VMX[bit 5]=0");
		return false;
	}
	/* SDM 24.7: VMXON outside SMX needs bit 2, or an unlocked MSR we lock */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		*why = vmx_missing(VMX_REQ_BASE, "IA32_FEATURE_CONTROL is locked with VMXON outside SMX "
				   "disabled (firmware setting)");
		return false;
	}

	vmx_caps.basic = rdmsr(MSR_IA32_VMX_BASIC);
	vmx_caps.revision = vmx_caps.basic & VMX_BASIC_REVISION_MASK;
	vmx_caps.misc = rdmsr(MSR_IA32_VMX_MISC);
	true_ctls = vmx_caps.basic & VMX_BASIC_TRUE_CTLS;
	/* SDM A.2: the TRUE MSRs report the controls' real default-1 bits */
	vmx_caps.pin = read_ctls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	vmx_caps.proc = read_ctls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	vmx_caps.exit = read_ctls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	vmx_caps.entry = read_ctls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	vmx_caps.proc2 = (struct vmx_ctls){ 0, 0 };
	vmx_caps.ept_vpid = 0;
	vmx_caps.vmfunc = 0;
	/* SDM A.3.3: PROCBASED_CTLS2 exists only if secondary controls may be 1 */
	if (vmx_caps.proc.allowed1 & CPU_SECONDARY_CONTROLS) {
		vmx_caps.proc2 = read_ctls(MSR_IA32_VMX_PROCBASED_CTLS2);
		/* SDM A.10: EPT_VPID_CAP exists if EPT or VPID may be enabled */
		if (vmx_caps.proc2.allowed1 & (CPU2_ENABLE_EPT | CPU2_ENABLE_VPID))
			vmx_caps.ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
		/* SDM A.11: VMFUNC exists if "enable VM functions" may be 1 */
		if (vmx_caps.proc2.allowed1 & CPU2_ENABLE_VMFUNC)
			vmx_caps.vmfunc = rdmsr(MSR_IA32_VMX_VMFUNC);
	}
	vmx_caps.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	vmx_caps.maxphyaddr = cpu_maxphyaddr();
	*why = NULL;
	return true;
}

uint64_t vmcs_alloc(void)
{
	uint32_t *p = alloc_page();

	/* SDM 25.2: the first 31 bits hold the VMCS revision identifier */
	p[0] = vmx_caps.revision;
	return (uint64_t)(uintptr_t)p;
}

enum vmx_status vmx_on(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	enum vmx_status s;

	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);

	/* SDM 24.8: CR0 and CR4 must respect the fixed bits in VMX operation */
	saved_cr0 = read_cr0();
	saved_cr4 = read_cr4();
	write_cr0((saved_cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((saved_cr4 | vmx_caps.cr4_fixed0 | X86_CR4_VMXE) & vmx_caps.cr4_fixed1);

	vmxon_region = vmcs_alloc();
	s = vmxon(vmxon_region);
	if (s != VMX_SUCCEED) {
		write_cr4(saved_cr4);
		write_cr0(saved_cr0);
		return s;
	}
	vmx_active = true;
	return s;
}

void vmx_on_or_abort(void)
{
	enum vmx_status s = vmx_on();

	if (s != VMX_SUCCEED) {
		report(false, "vmxon", "VMXON failed: %s", vmx_status_name(s));
		test_abort();
	}
}

enum vmx_status vmx_off(void)
{
	enum vmx_status s;

	if (!vmx_active)
		return VMX_SUCCEED;
	s = vmxoff();
	if (s == VMX_SUCCEED) {
		vmx_active = false;
		write_cr4(saved_cr4);
		write_cr0(saved_cr0);
	}
	return s;
}

void vmx_force_off(void)
{
	enum vmx_status s = vmx_off();

	if (s != VMX_SUCCEED)
		report(false, "vmxoff", "VMXOFF at the end of the test: %s", vmx_status_name(s));
}

uint64_t vmx_vmxon_region(void)
{
	return vmxon_region;
}

const char *vmx_status_name(enum vmx_status s)
{
	switch (s) {
	case VMX_SUCCEED: return "VMsucceed";
	case VMX_FAIL_INVALID: return "VMfailInvalid";
	case VMX_FAIL_VALID: return "VMfailValid";
	}
	return "?";
}

uint64_t vmx_insn_result(enum vmx_status s)
{
	if (s == VMX_FAIL_INVALID)
		return VMX_INSN_FAIL_INVALID;
	return s == VMX_FAIL_VALID ? vmx_instruction_error() : 0;
}

uint32_t vmx_instruction_error(void)
{
	uint64_t v = 0;

	vmread(VMCS_VM_INSTRUCTION_ERROR, &v);
	return (uint32_t)v;
}

uint64_t vmcs_read(enum vmcs_field field)
{
	uint64_t v = 0;
	enum vmx_status s = vmread(field, &v);

	if (s != VMX_SUCCEED) {
		report(false, "vmread", "VMREAD of field %#x: %s (error %u)", field,
		       vmx_status_name(s), s == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
		test_abort();
	}
	return v;
}

void vmcs_write(enum vmcs_field field, uint64_t val)
{
	enum vmx_status s = vmwrite(field, val);

	if (s != VMX_SUCCEED) {
		report(false, "vmwrite", "VMWRITE of %#lx to field %#x: %s (error %u)",
		       val, field, vmx_status_name(s),
		       s == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
		test_abort();
	}
}

/* A control value: what the test wants, plus the must-be-1 bits. */
static uint32_t ctls_value(const struct vmx_ctls *c, uint32_t want)
{
	return (want | c->allowed0) & c->allowed1;
}

bool vmx_enable_proc2(uint32_t bits)
{
	if (!vmx_has_proc2(bits))
		return false;
	vmcs_set_bits(VMCS_PROC_BASED_CONTROLS, CPU_SECONDARY_CONTROLS);
	vmcs_set_bits(VMCS_SECONDARY_PROC_CONTROLS, bits);
	return true;
}

static uint64_t gdt_entry_base(uint16_t sel)
{
	uint64_t d = gdt[sel >> 3];
	uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);

	if (!(d & BIT(44)))	/* system descriptor: 16 bytes in 64-bit mode */
		base |= gdt[(sel >> 3) + 1] << 32;
	return base;
}

extern char vmx_exit_entry[];

/*
 * The default VMCS: a 64-bit guest that looks like the host.
 *  - Controls: only what the guest needs to be bounded and observable: the
 *    VMX-preemption timer when supported, every exception exits (exception
 *    bitmap all ones), unconditional I/O exiting, HLT exiting, secondary
 *    controls on with nothing enabled (EPT is the test's choice).
 *  - Guest state: the host's CR0/CR3/CR4, EFER and PAT, its GDT and IDT,
 *    flat 64-bit segments, TR = the host TSS; RIP/RSP set per run.
 *  - Host state: the current CPU state; RIP = vmx_exit_entry, RSP set by
 *    vmx_enter() at every entry.
 */
static void vmcs_setup_default(struct vcpu *v)
{
	struct descriptor_table_ptr gdtr, idtr;
	uint32_t pin = 0, proc, exit, entry;
	uint64_t efer = rdmsr(MSR_IA32_EFER);
	uint64_t pat = rdmsr(MSR_IA32_PAT);

	sgdt(&gdtr);
	sidt(&idtr);

	/* VM-execution controls (SDM 25.6).  The VMX-preemption timer bounds
	 * every guest run where the processor has it (SDM 26.5.1). */
	if (vmx_ctl_allowed(&vmx_caps.pin, PIN_PREEMPTION_TIMER)) {
		unsigned rate = vmx_caps.misc & VMX_MISC_PREEMPT_RATE_MASK;
		uint64_t ticks = preemption_bound_tsc() >> rate;

		pin |= PIN_PREEMPTION_TIMER;
		v->preemption_timer = (uint32_t)MAX(MIN(ticks, (uint64_t)UINT32_MAX), 1ull);
	}
	proc = CPU_HLT_EXITING | CPU_UNCONDITIONAL_IO_EXITING;
	if (vmx_ctl_allowed(&vmx_caps.proc, (uint32_t)CPU_SECONDARY_CONTROLS))
		proc |= CPU_SECONDARY_CONTROLS;
	vmcs_write(VMCS_PIN_BASED_CONTROLS, ctls_value(&vmx_caps.pin, pin));
	vmcs_write(VMCS_PROC_BASED_CONTROLS, ctls_value(&vmx_caps.proc, proc));
	if (proc & CPU_SECONDARY_CONTROLS)
		vmcs_write(VMCS_SECONDARY_PROC_CONTROLS, ctls_value(&vmx_caps.proc2, 0));
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0xffffffff);
	vmcs_write(VMCS_PF_ERROR_CODE_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_CODE_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, 0);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ull);

	/* VM-exit controls (SDM 25.7): return to 64-bit mode, swap EFER/PAT */
	exit = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_IA32_EFER | EXIT_SAVE_IA32_EFER |
	       EXIT_LOAD_IA32_PAT | EXIT_SAVE_IA32_PAT;
	vmcs_write(VMCS_EXIT_CONTROLS, ctls_value(&vmx_caps.exit, exit));
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);

	/* VM-entry controls (SDM 25.8): a 64-bit guest with its EFER and PAT */
	entry = ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT;
	vmcs_write(VMCS_ENTRY_CONTROLS, ctls_value(&vmx_caps.entry, entry));
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);

	/* Host state (SDM 25.5) */
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SEL, SEL_CODE64);
	vmcs_write(VMCS_HOST_SS_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_DS_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_ES_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, 0);
	vmcs_write(VMCS_HOST_TR_BASE, gdt_entry_base(SEL_TSS));
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_IA32_EFER, efer);
	vmcs_write(VMCS_HOST_IA32_PAT, pat);
	vmcs_write(VMCS_HOST_RIP, (uintptr_t)vmx_exit_entry);

	/* Guest state (SDM 25.4): flat 64-bit, like the host */
	vmcs_write(VMCS_GUEST_CR0, read_cr0());
	vmcs_write(VMCS_GUEST_CR3, read_cr3());
	vmcs_write(VMCS_GUEST_CR4, read_cr4());
	vmcs_write(VMCS_CR0_READ_SHADOW, read_cr0());
	vmcs_write(VMCS_CR4_READ_SHADOW, read_cr4());
	vmcs_write(VMCS_GUEST_IA32_EFER, efer | EFER_LMA | EFER_LME);
	vmcs_write(VMCS_GUEST_IA32_PAT, pat);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_DR7, 0x400);

	vmcs_write(VMCS_GUEST_CS_SEL, SEL_CODE64);
	vmcs_write(VMCS_GUEST_CS_BASE, 0);
	vmcs_write(VMCS_GUEST_CS_LIMIT, 0xffffffff);
	vmcs_write(VMCS_GUEST_CS_AR, 0xa09b);	/* G, L, P, S, code RX accessed */
	for (unsigned i = 0; i < 5; i++) {
		/* ES, SS, DS, FS, GS: the encodings are 2 apart in each group */
		static const enum vmcs_field sel[] = { VMCS_GUEST_ES_SEL, VMCS_GUEST_SS_SEL,
			VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL };
		enum vmcs_field s = sel[i];
		unsigned idx = (s - VMCS_GUEST_ES_SEL) / 2;
		vmcs_write(s, SEL_DATA);
		vmcs_write(VMCS_GUEST_ES_BASE + 2 * idx, 0);
		vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * idx, 0xffffffff);
		vmcs_write(VMCS_GUEST_ES_AR + 2 * idx, 0xc093);	/* G, D/B, P, S, data RW accessed */
	}
	vmcs_write(VMCS_GUEST_LDTR_SEL, 0);
	vmcs_write(VMCS_GUEST_LDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_LDTR_LIMIT, 0);
	vmcs_write(VMCS_GUEST_LDTR_AR, VMX_AR_UNUSABLE);
	vmcs_write(VMCS_GUEST_TR_SEL, SEL_TSS);
	vmcs_write(VMCS_GUEST_TR_BASE, gdt_entry_base(SEL_TSS));
	vmcs_write(VMCS_GUEST_TR_LIMIT, 0x67);
	vmcs_write(VMCS_GUEST_TR_AR, 0x8b);	/* P, busy 64-bit TSS */
	vmcs_write(VMCS_GUEST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, gdtr.limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, idtr.limit);
	vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
}

#define GUEST_STACK_PAGES 4

struct vcpu *vcpu_create(void)
{
	struct vcpu *v = alloc_page();
	enum vmx_status s;
	uint64_t t0 = prof_begin();

	v->vmcs = vmcs_alloc();
	v->stack_top = (uintptr_t)alloc_aligned(GUEST_STACK_PAGES * 4096, 4096) +
		       GUEST_STACK_PAGES * 4096;
	s = vmclear(v->vmcs);
	if (s == VMX_SUCCEED)
		s = vmptrld(v->vmcs);
	if (s != VMX_SUCCEED) {
		report(false, "vmcs", "VMCLEAR/VMPTRLD of a new VMCS: %s", vmx_status_name(s));
		test_abort();
	}
	vmcs_setup_default(v);
	prof_end(PROF_VMCS, t0);
	return v;
}

void vcpu_set_entry(struct vcpu *v, void (*entry)(void), uint64_t arg)
{
	vmcs_write(VMCS_GUEST_RIP, (uintptr_t)entry);
	/* SysV ABI: RSP + 8 is 16-byte aligned at a function's entry */
	vmcs_write(VMCS_GUEST_RSP, v->stack_top - 8);
	vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
	v->regs.rdi = arg;
}

void vcpu_skip_instruction(struct vcpu *v, const struct vmx_exit *e)
{
	(void)v;
	vmcs_write(VMCS_GUEST_RIP, e->guest_rip + e->instruction_len);
}

/* lib/x86/vmx_entry.S: enters the guest; returns an enum vmx_status for a
 * VMfail, or VMX_SUCCEED after a VM exit (with the guest GPRs in *regs). */
int vmx_enter(struct guest_regs *regs, int launched);

struct vmx_exit vmx_run_guest(struct vcpu *v)
{
	struct vmx_exit e;
	uint64_t t0 = prof_begin();
	int s;

	memset(&e, 0, sizeof(e));
	if (v->preemption_timer)
		vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, v->preemption_timer);
	s = vmx_enter(&v->regs, v->launched);
	if (s != VMX_SUCCEED) {
		e.kind = s == VMX_FAIL_INVALID ? VMX_EXIT_VMFAIL_INVALID : VMX_EXIT_VMFAIL_VALID;
		if (s == VMX_FAIL_VALID)
			e.vm_instruction_error = vmx_instruction_error();
		prof_end(PROF_GUEST, t0);
		return e;
	}
	e.kind = VMX_EXIT_VMEXIT;
	e.reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	e.basic_reason = e.reason & EXIT_REASON_BASIC_MASK;
	e.entry_failed = e.reason & EXIT_REASON_ENTRY_FAILURE;
	e.qualification = vmcs_read(VMCS_EXIT_QUALIFICATION);
	/* SDM 28.2.1: a failed VM entry leaves the guest launched state alone */
	if (!e.entry_failed)
		v->launched = true;
	e.gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	e.gla = vmcs_read(VMCS_GUEST_LINEAR_ADDRESS);
	e.intr_info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);
	e.intr_error = (uint32_t)vmcs_read(VMCS_EXIT_INTR_ERROR_CODE);
	e.idt_vectoring_info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	e.idt_vectoring_error = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE);
	e.instruction_len = (uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_LEN);
	e.instruction_info = (uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_INFO);
	e.interruptibility = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	e.guest_rip = vmcs_read(VMCS_GUEST_RIP);
	e.guest_rsp = vmcs_read(VMCS_GUEST_RSP);
	e.guest_cr3 = vmcs_read(VMCS_GUEST_CR3);
	e.regs = v->regs;
	prof_end(PROF_GUEST, t0);
	return e;
}

const char *vmx_exit_reason_name(uint32_t r)
{
	static const char *const names[EXIT_REASON_MAX] = {
		[EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
		[EXIT_REASON_EXTERNAL_INTERRUPT] = "external interrupt",
		[EXIT_REASON_TRIPLE_FAULT] = "triple fault",
		[EXIT_REASON_INIT] = "INIT",
		[EXIT_REASON_INTERRUPT_WINDOW] = "interrupt window",
		[EXIT_REASON_NMI_WINDOW] = "NMI window",
		[EXIT_REASON_TASK_SWITCH] = "task switch",
		[EXIT_REASON_CPUID] = "CPUID",
		[EXIT_REASON_HLT] = "HLT",
		[EXIT_REASON_INVLPG] = "INVLPG",
		[EXIT_REASON_RDTSC] = "RDTSC",
		[EXIT_REASON_VMCALL] = "VMCALL",
		[EXIT_REASON_CR_ACCESS] = "control-register access",
		[EXIT_REASON_IO_INSTRUCTION] = "I/O instruction",
		[EXIT_REASON_RDMSR] = "RDMSR",
		[EXIT_REASON_WRMSR] = "WRMSR",
		[EXIT_REASON_INVALID_GUEST_STATE] = "VM-entry failure: invalid guest state",
		[EXIT_REASON_MSR_LOADING] = "VM-entry failure: MSR loading",
		[EXIT_REASON_MONITOR_TRAP_FLAG] = "monitor trap flag",
		[EXIT_REASON_MACHINE_CHECK] = "VM-entry failure: machine check",
		[EXIT_REASON_EPT_VIOLATION] = "EPT violation",
		[EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
		[EXIT_REASON_INVEPT] = "INVEPT",
		[EXIT_REASON_PREEMPTION_TIMER] = "VMX-preemption timer expired",
		[EXIT_REASON_INVVPID] = "INVVPID",
		[EXIT_REASON_VMFUNC] = "VMFUNC",
		[EXIT_REASON_PML_FULL] = "page-modification log full",
		[EXIT_REASON_SPP_EVENT] = "SPP-related event",
	};
	if (r < EXIT_REASON_MAX && names[r])
		return names[r];
	return "other";
}

void vmx_exit_describe(const struct vmx_exit *e, char *buf, unsigned size)
{
	switch (e->kind) {
	case VMX_EXIT_VMFAIL_INVALID:
		snprintf(buf, size, "VMfailInvalid");
		return;
	case VMX_EXIT_VMFAIL_VALID:
		snprintf(buf, size, "VMfailValid, VM-instruction error %u", e->vm_instruction_error);
		return;
	case VMX_EXIT_VMEXIT:
		break;
	}
	snprintf(buf, size, "exit %u (%s)%s qual %#lx", e->basic_reason,
		 vmx_exit_reason_name(e->basic_reason),
		 e->entry_failed ? " [VM-entry failure]" : "", e->qualification);
}

void vmx_exit_report_info(const struct vmx_exit *e)
{
	char buf[128];

	vmx_exit_describe(e, buf, sizeof(buf));
	report_info("%s", buf);
	if (e->kind != VMX_EXIT_VMEXIT)
		return;
	report_info("guest rip %#lx rsp %#lx cr3 %#lx, gpa %#lx gla %#lx",
		    e->guest_rip, e->guest_rsp, e->guest_cr3, e->gpa, e->gla);
	report_info("exit intr info %#x error %#x, idt-vectoring info %#x error %#x, insn len %u",
		    e->intr_info, e->intr_error, e->idt_vectoring_info,
		    e->idt_vectoring_error, e->instruction_len);
}

void guest_vmcall(uint64_t nr, uint64_t arg)
{
	asm volatile("vmcall" : "+a"(nr), "+D"(arg) :: "memory");
}

/* The capability MSRs (SDM Appendix A), each when it exists. */
enum cap_msr_when { CAP_ALWAYS, CAP_TRUE_CTLS, CAP_CTLS2, CAP_EPT_VPID, CAP_VMFUNC, CAP_CTLS3 };

static void print_cap_msrs(void)
{
	static const struct {
		uint32_t msr;
		const char *name;
		enum cap_msr_when when;
	} msrs[] = {
		{ MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", CAP_ALWAYS },
		{ MSR_IA32_VMX_BASIC, "IA32_VMX_BASIC", CAP_ALWAYS },
		{ MSR_IA32_VMX_PINBASED_CTLS, "IA32_VMX_PINBASED_CTLS", CAP_ALWAYS },
		{ MSR_IA32_VMX_PROCBASED_CTLS, "IA32_VMX_PROCBASED_CTLS", CAP_ALWAYS },
		{ MSR_IA32_VMX_EXIT_CTLS, "IA32_VMX_EXIT_CTLS", CAP_ALWAYS },
		{ MSR_IA32_VMX_ENTRY_CTLS, "IA32_VMX_ENTRY_CTLS", CAP_ALWAYS },
		{ MSR_IA32_VMX_MISC, "IA32_VMX_MISC", CAP_ALWAYS },
		{ MSR_IA32_VMX_CR0_FIXED0, "IA32_VMX_CR0_FIXED0", CAP_ALWAYS },
		{ MSR_IA32_VMX_CR0_FIXED1, "IA32_VMX_CR0_FIXED1", CAP_ALWAYS },
		{ MSR_IA32_VMX_CR4_FIXED0, "IA32_VMX_CR4_FIXED0", CAP_ALWAYS },
		{ MSR_IA32_VMX_CR4_FIXED1, "IA32_VMX_CR4_FIXED1", CAP_ALWAYS },
		{ MSR_IA32_VMX_VMCS_ENUM, "IA32_VMX_VMCS_ENUM", CAP_ALWAYS },
		{ MSR_IA32_VMX_TRUE_PINBASED_CTLS, "IA32_VMX_TRUE_PINBASED_CTLS", CAP_TRUE_CTLS },
		{ MSR_IA32_VMX_TRUE_PROCBASED_CTLS, "IA32_VMX_TRUE_PROCBASED_CTLS", CAP_TRUE_CTLS },
		{ MSR_IA32_VMX_TRUE_EXIT_CTLS, "IA32_VMX_TRUE_EXIT_CTLS", CAP_TRUE_CTLS },
		{ MSR_IA32_VMX_TRUE_ENTRY_CTLS, "IA32_VMX_TRUE_ENTRY_CTLS", CAP_TRUE_CTLS },
		{ MSR_IA32_VMX_PROCBASED_CTLS2, "IA32_VMX_PROCBASED_CTLS2", CAP_CTLS2 },
		{ MSR_IA32_VMX_EPT_VPID_CAP, "IA32_VMX_EPT_VPID_CAP", CAP_EPT_VPID },
		{ MSR_IA32_VMX_VMFUNC, "IA32_VMX_VMFUNC", CAP_VMFUNC },
		{ MSR_IA32_VMX_PROCBASED_CTLS3, "IA32_VMX_PROCBASED_CTLS3", CAP_CTLS3 },
	};
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
	uint64_t proc = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32;	/* allowed-1 */
	uint64_t proc2 = proc & CPU_SECONDARY_CONTROLS ? rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32 : 0;
	bool exists[] = {
		[CAP_ALWAYS] = true,
		[CAP_TRUE_CTLS] = basic & VMX_BASIC_TRUE_CTLS,
		[CAP_CTLS2] = proc & CPU_SECONDARY_CONTROLS,
		[CAP_EPT_VPID] = proc2 & (CPU2_ENABLE_EPT | CPU2_ENABLE_VPID),
		[CAP_VMFUNC] = proc2 & CPU2_ENABLE_VMFUNC,
		[CAP_CTLS3] = proc & CPU_TERTIARY_CONTROLS,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++)
		if (exists[msrs[i].when])
			printf("# eptest: msr %#x %s = %#018lx\n", msrs[i].msr, msrs[i].name,
			       rdmsr(msrs[i].msr));
}

void vmx_describe(void)
{
	static const char *const req_names[] = { "VMX with EPT", "EPT A/D", "unrestricted guest" };
	char req[80] = "";
	size_t len = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(req_names); i++)
		if (vmx_required & (1u << i))
			len += snprintf(req + len, sizeof(req) - len, "%s%s", len ? ", " : "",
					req_names[i]);
	printf("# eptest: preempt_bound=%#lx TSC cycles%s; require_vmx: %s\n",
	       preemption_bound_tsc(),
	       preempt_bound ? "" : cpu_has_hypervisor() ? " (default under a hypervisor)" : " (default)",
	       len ? req : "nothing (VMX/EPT capability checks skip)");
	if (!cpu_has_vmx()) {
		printf("# eptest: no VMX capability MSRs: CPUID.1:ECX.VMX[bit 5]=0\n");
		return;
	}
	print_cap_msrs();
}
