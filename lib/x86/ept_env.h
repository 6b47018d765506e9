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
#include "x86/outcome.h"
#include "x86/ad_model.h"
#include "x86/paging_model.h"
#include "x86/vmx.h"

enum guest_op {
	GUEST_OP_READ,
	GUEST_OP_WRITE,
	GUEST_OP_FETCH,
	GUEST_OP_RMW,
	/* Shadow-stack accesses (64-bit guests only; the test turns on
	 * CR4.CET, IA32_S_CET.SH_STK_EN and WR_SHSTK_EN, and "load CET
	 * state" so that ept_env_run() can set SSP): */
	GUEST_OP_SS_READ,	/* INCSSPQ at SSP = the GLA; data: SSP after (GLA + 8) */
	GUEST_OP_SS_WRITE,	/* WRSSQ: a supervisor shadow-stack write */
	GUEST_OP_USS_WRITE,	/* WRUSSQ: a user shadow-stack write at CPL 0 */
};
const char *guest_op_name(enum guest_op op);
/* The access writes its target (the guest A/D model's "write"). */
static inline bool guest_op_writes(enum guest_op op)
{
	return op == GUEST_OP_WRITE || op == GUEST_OP_RMW || op == GUEST_OP_SS_WRITE ||
	       op == GUEST_OP_USS_WRITE;
}

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

/* ---- one case, one outcome record (x86/outcome.h) ---- */

/* The bytes a case puts at its target, and what the guest passes. */
#define CASE_PATTERN          0x0123456789abcdefull
#define CASE_WRITE_VALUE      0xfeedfacecafef00dull
#define CASE_RMW_ADDEND       1ull
#define CASE_VMCALL_BYTES     0xc1010full	/* 0F 01 C1, little-endian */

/*
 * One guest access in the window and everything about how it ended.
 * The test fills the first block, then ept_case() (or the three steps
 * below it) does the rest.
 */
struct ept_case {
	enum guest_op op;
	uint64_t gla;
	volatile uint64_t *host;	/* the 8 bytes at @gla (NULL: none) */
	bool expect_run;		/* the stub's own fetch may stop first:
					   ept_env_expect_run() */
	/* ept_case_expect() */
	struct ept_outcome model;
	struct ept_trace trace;
	struct outcome want, got;
	unsigned nr_ept, nr_guest;
	uint64_t ept_hpa[OUTCOME_AD_MAX];
	uint8_t guest_level[OUTCOME_AD_MAX];
	/* ept_case_run() */
	struct vmx_exit exit;
};

/* Every case starts here: the EPT and guest accessed/dirty flags of the
 * window's walk for @gla are cleared (a case presets any it needs after). */
void ept_case_begin(struct ept_env *env, uint64_t gla);
/* Put CASE_PATTERN (a VMCALL for a fetch) at c->host, ask the model, fill
 * c->want: the exit, data or memory, and the A/D flags of every EPT entry
 * of the window's walk and every guest entry of the window's guest walk. */
void ept_case_expect(struct ept_env *env, struct ept_case *c);
/* INVEPT, run the access, fill c->got from the exit, memory and tables. */
void ept_case_run(struct ept_env *env, struct ept_case *c);
/* outcome_check() of the two records; on a mismatch, the whole exit. */
bool ept_case_check(const char *id, const char *words, const struct ept_case *c);
/* All of it.  A case the model cannot decide (UNMODELED, or an order the
 * SDM leaves open) is one SKIP saying why.  Returns whether <id> matched. */
bool ept_case(struct ept_env *env, const char *id, const char *words, struct ept_case *c);
/* The ids ept_case() would report, as skips. */
void ept_case_skip(const char *id, const char *words, const char *why);

/* The exit part of a record, for tests that run guest code of their own:
 * from the model (reason, qualification under its mask, GPA, GLA,
 * IDT-vectoring information not valid, a guest fault's interruption
 * information, error code and linear address), and from an exit. */
void outcome_want_exit(struct outcome *w, const struct ept_outcome *o);
void outcome_got_exit(struct outcome *g, const struct vmx_exit *e);
/* Entry @i of an A/D field (FLD_EPT_AD / FLD_GUEST_AD) from the model's
 * answer for it: set -> 1, clear -> 0, may -> not compared. */
void outcome_want_ad(struct outcome *w, enum outcome_field f, unsigned i, struct ad_flags a);

/* Formats R/W/X bits as "RWX", "R--", "---"... */
const char *ept_perm_str(uint64_t rwx);

#endif
