/*
 * The ground EPT tests stand on: a vCPU with EPT on, guest memory that is
 * host memory 1:1 (2M leaves, RWX, WB), guest page tables of a chosen
 * paging mode that identity-map the first 4 GiB, and a test window:
 *
 *   GLA env->window_gla + x  ->  GPA env->window_gpa + x  ->  HPA x
 *
 * The window has its own guest and (when MAXPHYADDR allows) its own EPT
 * PML4E, so a test may restrict any EPT level of it without touching the
 * code, stack and tables the guest runs on.  Each case: set entries,
 * ept_env_expect() asks the reference model what the SDM says, ept_env_run()
 * runs the guest access, expect_ept_outcome() compares and reports.
 */
#ifndef LIB_X86_EPT_ENV_H
#define LIB_X86_EPT_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include "x86/ept.h"
#include "x86/ept_model.h"
#include "x86/guest_pt.h"
#include "x86/paging_model.h"
#include "x86/vmx.h"

enum guest_op {
	GUEST_OP_READ,
	GUEST_OP_WRITE,
	GUEST_OP_FETCH,
	GUEST_OP_RMW,
};
const char *guest_op_name(enum guest_op op);

struct ept_env_config {
	enum guest_paging_mode mode;	/* 0 means GUEST_PAGING_4LEVEL */
	unsigned ept_levels;		/* 0 means 4 */
	bool ad;			/* EPTP bit 6 */
	/* Unrestricted guest with CR0.PG = 0 (32-bit protected mode, flat
	 * segments): the linear address is the GPA; `mode` is ignored.  Needs
	 * the "unrestricted guest" secondary control. */
	bool paging_off;
};

struct ept_env {
	struct vcpu *vcpu;
	struct ept ept;
	struct guest_pt gpt;
	struct ept_model model;
	uint64_t window_gpa, window_gla;
	bool window_own_pml4e;	/* the window's EPT PML4E maps nothing else */
	/*
	 * 32-bit guests (PAE, 32-bit paging, paging off) run 32-bit code
	 * (SEL_CODE32, "IA-32e mode guest" = 0, EFER.LMA = LME = 0) with every
	 * address below 4 GiB: the guest identity map then covers RAM only
	 * (alloc_region_end() rounded up), the window GPA is the first 1-GiB
	 * boundary above RAM (its own EPT PDPTE, not its own PML4E) and the
	 * window GLA lies as far below 4 GiB (3 GiB when RAM ends below 1 GiB;
	 * its own guest PDE (32-bit) / PDPTE (PAE)).  With paging off the
	 * window GLA is the window GPA.
	 */
	bool guest32;
	bool paging_off;
	enum guest_paging_mode mode;
};

/* Enters VMX operation and builds the environment.  Returns false when a
 * capability is missing, with *why naming it (for report_skip). */
bool ept_env_init(struct ept_env *env, const struct ept_env_config *cfg, const char **why);
void ept_env_exit(struct ept_env *env);

/*
 * Map the window at @hpa: an EPT leaf of @ept_page_size over
 * window_gpa + hpa (leaf bits @ept_bits) and a guest leaf of
 * @guest_page_size over window_gla + hpa (flags @guest_flags).  Returns
 * the GLA of @hpa; its GPA is window_gpa + hpa.
 */
uint64_t ept_env_map(struct ept_env *env, uint64_t hpa, uint64_t ept_page_size,
		     uint64_t ept_bits, uint64_t guest_page_size, uint64_t guest_flags);
static inline uint64_t ept_env_gpa(const struct ept_env *env, uint64_t hpa)
{
	return env->window_gpa + hpa;
}

/* The guest state the model needs (CRs, EFER, PDPTE registers), read
 * from the current VMCS. */
void ept_env_guest_state(struct guest_state *gs);
/* PAE: write the VMCS guest PDPTE fields from the guest's PDPT in memory
 * (with EPT, VM entry loads the PDPTE registers from there: SDM 27.3.2.4).
 * ept_env_run() does this before every run in PAE mode. */
void ept_env_sync_pdptes(struct ept_env *env);

/* What the SDM says @op at @gla does, from the tables as they are now. */
void ept_env_expect(struct ept_env *env, enum guest_op op, uint64_t gla, struct ept_outcome *o);
/*
 * The same for the whole guest run ept_env_run() makes: first the fetch of
 * the guest stub's first instruction at its RIP, then @op at @gla.  Use it
 * when a restricted table may also translate the guest's code (the root
 * table, a 32-bit guest's page directory): the outcome is then the fetch's.
 */
void ept_env_expect_run(struct ept_env *env, enum guest_op op, uint64_t gla, struct ept_outcome *o);
/* The guest stub ept_env_run() starts for @op (its RIP). */
uint64_t ept_env_stub(const struct ept_env *env, enum guest_op op);
/* INVEPT, then run @op at @gla (writing @value) until the next VM exit. */
struct vmx_exit ept_env_run(struct ept_env *env, enum guest_op op, uint64_t gla, uint64_t value);

/*
 * One TAP line: "<id>: <words> -> exit 48 qual 0x181" (or "exit 49", or
 * "completes").  PASS when the exit matches the outcome: reason; for a
 * violation the qualification under the model's mask, GPA and GLA; for a
 * misconfiguration the GPA; for a translation a VMCALL from the guest
 * after the access.  Every mismatch is printed as a diagnostic.
 */
bool expect_ept_outcome(const char *id, const char *words, const struct ept_outcome *o,
			const struct vmx_exit *e);

/* Formats R/W/X bits as "RWX", "R--", "---"... */
const char *ept_perm_str(uint64_t rwx);

#endif
