/*
 * VMX plumbing: capabilities, VMX instructions, VMCS access, a default
 * VMCS for a 64-bit guest, and running a guest until its next VM exit.
 *
 * A test's life:
 *     if (!vmx_supported(&why)) { report_skip(..., "%s", why); return; }
 *     vmx_on();
 *     struct vcpu *v = vcpu_create();          // default 64-bit guest VMCS
 *     vcpu_set_entry(v, guest_fn, arg);
 *     struct vmx_exit e = vmx_run_guest(v);    // reason, qualification, ...
 *     vmx_off();
 *
 * Nothing here crashes on a VMfail or a failed VM entry: both come back in
 * struct vmx_exit for the test to report.
 */
#ifndef LIB_X86_VMX_H
#define LIB_X86_VMX_H

#include <stdbool.h>
#include <stdint.h>
#include "x86/vmx_arch.h"

/* ----------------------------------------------------------------------
 * Capabilities (SDM Appendix A), read once by vmx_supported()
 * -------------------------------------------------------------------- */
struct vmx_ctls {
	uint32_t allowed0;	/* bits that must be 1 */
	uint32_t allowed1;	/* bits that may be 1 */
};

struct vmx_caps {
	uint64_t basic;
	uint64_t misc;
	uint64_t ept_vpid;		/* 0 without secondary controls or EPT */
	uint64_t vmfunc;
	struct vmx_ctls pin, proc, proc2, exit, entry;	/* TRUE controls when available */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned maxphyaddr;
	uint32_t revision;
};
extern struct vmx_caps vmx_caps;

/* Whether VMX can be used here; if not, *why says why, for a SKIP. */
bool vmx_supported(const char **why);

/*
 * Kernel option require_vmx=: what the backend promised this machine has
 * (run_tests.sh -b kvm passes require_vmx=1 and more).  A capability
 * check that finds a promised feature missing returns its reason through
 * vmx_missing(), and every skip for that reason is then a failure.
 * Features a host may lack (#VE, SPP, MBEC, 5-level EPT, ...) are never
 * promised: their skips stay skips.
 */
enum vmx_require {
	VMX_REQ_BASE   = 1,	/* "1": VMX, EPT, 4-level walk, WB, INVEPT */
	VMX_REQ_EPT_AD = 2,	/* "ad": EPT accessed and dirty flags */
	VMX_REQ_UG     = 4,	/* "ug": unrestricted guest */
};
const char *vmx_missing(unsigned what, const char *why);

/* Kernel options require_vmx= and preempt_bound=; true when @word is one. */
bool vmx_option(const char *word);
/* "# " lines: the VMX capability MSRs and the settings above. */
void vmx_describe(void);

static inline bool vmx_ctl_allowed(const struct vmx_ctls *c, uint32_t bits)
{
	return (c->allowed1 & bits) == bits;
}
static inline bool vmx_has_proc2(uint32_t bits)
{
	return vmx_ctl_allowed(&vmx_caps.proc, (uint32_t)CPU_SECONDARY_CONTROLS) &&
	       vmx_ctl_allowed(&vmx_caps.proc2, bits);
}
static inline bool vmx_has_ept(void) { return vmx_has_proc2(CPU2_ENABLE_EPT); }
static inline bool ept_cap(uint64_t bit) { return (vmx_caps.ept_vpid & bit) == bit; }

/* ----------------------------------------------------------------------
 * VMX instructions (SDM 31.2 conventions: CF=1 VMfailInvalid, ZF=1
 * VMfailValid with the error in the VM-instruction error field)
 * -------------------------------------------------------------------- */
enum vmx_status {
	VMX_SUCCEED = 0,
	VMX_FAIL_INVALID = 1,
	VMX_FAIL_VALID = 2,
};

#define VMX_STATUS_FROM_FLAGS(cf, zf) ((cf) ? VMX_FAIL_INVALID : (zf) ? VMX_FAIL_VALID : VMX_SUCCEED)

static inline enum vmx_status vmxon(uint64_t pa)
{
	bool cf, zf;
	asm volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status vmxoff(void)
{
	bool cf, zf;
	asm volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) :: "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status vmclear(uint64_t pa)
{
	bool cf, zf;
	asm volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status vmptrld(uint64_t pa)
{
	bool cf, zf;
	asm volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline uint64_t vmptrst(void)
{
	uint64_t pa;
	asm volatile("vmptrst %0" : "=m"(pa) :: "memory");
	return pa;
}

static inline enum vmx_status vmread(uint64_t field, uint64_t *val)
{
	bool cf, zf;
	asm volatile("vmread %3, %2" : "=@ccc"(cf), "=@ccz"(zf), "=rm"(*val) : "r"(field) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status vmwrite(uint64_t field, uint64_t val)
{
	bool cf, zf;
	asm volatile("vmwrite %3, %2" : "=@ccc"(cf), "=@ccz"(zf) : "r"(field), "rm"(val) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

struct invept_desc { uint64_t eptp, reserved; };
struct invvpid_desc { uint64_t vpid, gla; };	/* vpid in bits 15:0, 63:16 reserved */

static inline enum vmx_status invept_desc(uint64_t type, const struct invept_desc *d)
{
	bool cf, zf;
	asm volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(*d), "r"(type) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status invvpid_desc(uint64_t type, const struct invvpid_desc *d)
{
	bool cf, zf;
	asm volatile("invvpid %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(*d), "r"(type) : "memory");
	return VMX_STATUS_FROM_FLAGS(cf, zf);
}

static inline enum vmx_status invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc d = { eptp, 0 };
	return invept_desc(type, &d);
}

static inline enum vmx_status invvpid(uint64_t type, uint16_t vpid, uint64_t gla)
{
	struct invvpid_desc d = { vpid, gla };
	return invvpid_desc(type, &d);
}

/* VM-instruction error of the current VMCS (after VMfailValid). */
uint32_t vmx_instruction_error(void);
/*
 * How a VMX instruction ended, as one value (the outcome field insn_err):
 * 0 VMsucceed, the VM-instruction error after VMfailValid, and
 * VMX_INSN_FAIL_INVALID for VMfailInvalid (SDM 31.2).  Compare under
 * VMX_INSN_MASK; a VMfailInvalid expectation compares only its bit.
 */
#define VMX_INSN_FAIL_INVALID   BIT(32)
#define VMX_INSN_MASK           (VMX_INSN_FAIL_INVALID | 0xffffffffull)
uint64_t vmx_insn_result(enum vmx_status s);
const char *vmx_status_name(enum vmx_status s);
const char *vmx_exit_reason_name(uint32_t basic_reason);

/* VMCS access that fails the test (with the field named) on VMfail. */
uint64_t vmcs_read(enum vmcs_field field);
void vmcs_write(enum vmcs_field field, uint64_t val);
static inline void vmcs_set_bits(enum vmcs_field f, uint64_t bits) { vmcs_write(f, vmcs_read(f) | bits); }
static inline void vmcs_clear_bits(enum vmcs_field f, uint64_t bits) { vmcs_write(f, vmcs_read(f) & ~bits); }

/* ----------------------------------------------------------------------
 * VMX operation
 * -------------------------------------------------------------------- */
/* Enters VMX root operation (CR0/CR4 fixed bits, IA32_FEATURE_CONTROL,
 * VMXON); returns the VMXON status. */
enum vmx_status vmx_on(void);
/* The same, failing and abandoning the test when VMXON fails. */
void vmx_on_or_abort(void);
/* VMXOFF and restore CR0/CR4; returns the VMXOFF status. */
enum vmx_status vmx_off(void);
/* The VMXON region's physical address (for VMfail tests). */
uint64_t vmx_vmxon_region(void);
/* Leaves VMX operation if it is on (after an abandoned test). */
void vmx_force_off(void);
/* A fresh VMCS region with the revision identifier written. */
uint64_t vmcs_alloc(void);

/* ----------------------------------------------------------------------
 * A guest vCPU
 * -------------------------------------------------------------------- */
struct guest_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

struct vcpu {
	uint64_t vmcs;			/* physical address of the VMCS */
	bool launched;
	struct guest_regs regs;
	uint64_t stack_top;		/* default guest RSP */
	uint32_t preemption_timer;	/* 0: no timer (when unsupported) */
};

/* How a vmx_run_guest() came back. */
enum vmx_exit_kind {
	VMX_EXIT_VMEXIT,	/* a VM exit, maybe a failed VM entry (bit 31) */
	VMX_EXIT_VMFAIL_INVALID,
	VMX_EXIT_VMFAIL_VALID,	/* see vm_instruction_error */
};

struct vmx_exit {
	enum vmx_exit_kind kind;
	uint32_t vm_instruction_error;
	uint32_t reason;		/* the full exit-reason field */
	uint16_t basic_reason;		/* bits 15:0 */
	bool entry_failed;		/* bit 31: VM-entry failure (SDM 27.8) */
	uint64_t qualification;
	uint64_t gpa;
	uint64_t gla;
	uint32_t intr_info, intr_error;
	uint32_t idt_vectoring_info, idt_vectoring_error;
	uint32_t instruction_len, instruction_info;
	uint32_t interruptibility;
	uint64_t guest_rip, guest_rsp, guest_cr3;
	struct guest_regs regs;		/* guest GPRs at the exit */
};

/*
 * A vCPU with the default VMCS loaded and current (vcpu_create()); see
 * vmx.c for exactly what the default holds.  The guest runs in 64-bit
 * mode on the host's GDT/IDT, with the host's CR3 (identity map) until
 * the test sets its own, and every exception causes a VM exit.
 */
struct vcpu *vcpu_create(void);
/* Where the next run starts: RIP, RSP = vcpu's stack, RFLAGS = 2, RDI = arg. */
void vcpu_set_entry(struct vcpu *v, void (*entry)(void), uint64_t arg);
/* VMLAUNCH (first time) or VMRESUME, until the next VM exit or VMfail. */
struct vmx_exit vmx_run_guest(struct vcpu *v);
/* Skip the instruction that exited (VM-exit instruction length). */
void vcpu_skip_instruction(struct vcpu *v, const struct vmx_exit *e);

/* Enable secondary/primary controls, checked against the capabilities
 * (returns false without touching the VMCS when not allowed). */
bool vmx_enable_proc2(uint32_t bits);

/* Describes an exit in one line, for diagnostics. */
void vmx_exit_describe(const struct vmx_exit *e, char *buf, unsigned size);
/* Prints the exit as '# ' lines: used after an unexpected exit. */
void vmx_exit_report_info(const struct vmx_exit *e);

/* Guest-to-host calls: the guest executes VMCALL with RAX = call number. */
enum guest_call {
	GUEST_CALL_DONE = 0,	/* the guest finished; RDI = result */
};
void guest_vmcall(uint64_t nr, uint64_t arg);

#endif
