/*
 * ept_5level: 5-level EPT (EPTP bits 5:3 = 4, IA32_VMX_EPT_VPID_CAP bit 7).
 *
 *  - Permission smoke test: the 8 R/W/X values x read / write / fetch at
 *    the PML5E of a window and at its 4K leaf (SDM 29.3.3.2; misconfigured
 *    encodings 010b/110b, and 100b without execute-only, give exit 49,
 *    29.3.3.1).
 *  - Misconfigurations at the PML5E (Table 29-1): each of bits 7:3 and
 *    51:MAXPHYADDR in a present PML5E -> exit 49; in a not-present one ->
 *    EPT violation.
 * A PML5E maps 256 TiB, so only a window at GPA 2^48 or above has one of
 * its own (needs MAXPHYADDR >= 49); below that the PML5E cases are skipped
 * naming MAXPHYADDR.  Expected outcomes: the reference model.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"
#include "x86/processor.h"

#define DATA_OFFSET     0x2a8
#define PML5_WINDOW_GPA (1ull << 48)            /* PML5E index 1 */
#define PML5_WINDOW_GLA 0x00007f8000000000ull   /* guest PML4E index 255 */

static const enum guest_op ops[] = { GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_FETCH };

struct window {
	struct ept_env *env;
	uint8_t *page;
	uint64_t gpa, gla;
};

/* One access at DATA_OFFSET of the window page, checked by the shared
 * case runner: the outcome, and the data or unchanged memory. */
static void run_case(struct window *w, const char *id, const char *words, enum guest_op op)
{
	matrix_access_case(w->env, id, words, op, w->gla + DATA_OFFSET, w->page + DATA_OFFSET, NULL);
}

static uint64_t pml5e_reserved(unsigned maxphy)
{
	return BITS(7, 3) | (maxphy >= 52 ? 0 : BITS(51, maxphy));
}

/* Every case id at one level, run or skipped. */
static void perm_cases(struct window *w, const char *level_id, enum ept_level level,
		       const char *skip)
{
	uint64_t *ent = skip ? NULL : ept_entry_must(&w->env->ept, w->gpa, level), saved = ent ? *ent : 0;

	for (unsigned rwx = 0; rwx < 8; rwx++)
		for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
			char id[64], words[96];

			snprintf(id, sizeof(id), "%s.%s.%s", level_id, ept_perm_str(rwx),
				 guest_op_name(ops[i]));
			snprintf(words, sizeof(words), "%s, %s %s, 5-level walk", guest_op_name(ops[i]),
				 level == EPT_LEVEL_PML5E ? "PML5E" : "4K PTE", ept_perm_str(rwx));
			if (skip) {
				report_skip(id, words, "%s", skip);
				continue;
			}
			*ent = (saved & ~EPT_RWX_MASK) | rwx;
			run_case(w, id, words, ops[i]);
			*ent = saved;
		}
}

static void pml5e_misconfig(struct window *w, const char *skip)
{
	unsigned maxphy = cpu_maxphyaddr();
	uint64_t rsvd = pml5e_reserved(maxphy);
	uint64_t *ent = skip ? NULL : ept_entry_must(&w->env->ept, w->gpa, EPT_LEVEL_PML5E);
	uint64_t saved = ent ? *ent : 0;

	for (unsigned np = 0; np < 2; np++)
		for (unsigned b = 3; b < 64; b++) {
			char id[64], words[96];

			if (!(rsvd & BIT(b)))
				continue;
			snprintf(id, sizeof(id), "pml5e.%s%u", np ? "np-bit" : "bit", b);
			snprintf(words, sizeof(words), "read, PML5E %s with bit %u set",
				 np ? "not present" : "RWX", b);
			if (skip) {
				report_skip(id, words, "%s", skip);
				continue;
			}
			*ent = (np ? saved & ~EPT_RWX_MASK : saved) | BIT(b);
			run_case(w, id, words, GUEST_OP_READ);
			*ent = saved;
		}
}

static void ept_5level(void)
{
	struct ept_env_config cfg = { .ept_levels = 5 };
	struct ept_env env;
	struct window pml5w = { .env = &env }, leafw = { .env = &env };
	const char *why, *pml5_skip = NULL;
	static char pml5_why[96];

	report_prefix_push("ept.5level");
	if (!ept_env_init(&env, &cfg, &why)) {
		perm_cases(&leafw, "pte", EPT_LEVEL_PTE, why);
		perm_cases(&pml5w, "pml5e", EPT_LEVEL_PML5E, why);
		pml5e_misconfig(&pml5w, why);
		report_prefix_pop();
		return;
	}

	leafw.page = alloc_page();
	leafw.gpa = ept_env_gpa(&env, (uintptr_t)leafw.page);
	leafw.gla = ept_env_map(&env, (uintptr_t)leafw.page, PAGE_4K, EPT_RWX_MASK | EPT_WB,
				PAGE_4K, PTE_WRITE);
	perm_cases(&leafw, "pte", EPT_LEVEL_PTE, NULL);

	if (vmx_caps.maxphyaddr < 49) {
		snprintf(pml5_why, sizeof(pml5_why),
			 "MAXPHYADDR %u < 49: no GPA outside the guest's own PML5E",
			 vmx_caps.maxphyaddr);
		pml5_skip = pml5_why;
	} else {
		pml5w.page = alloc_page();
		pml5w.gpa = PML5_WINDOW_GPA + (uintptr_t)pml5w.page;
		pml5w.gla = PML5_WINDOW_GLA + (uintptr_t)pml5w.page;
		ept_map(&env.ept, pml5w.gpa, (uintptr_t)pml5w.page, PAGE_4K, EPT_RWX_MASK | EPT_WB);
		gpt_map(&env.gpt, pml5w.gla, pml5w.gpa, PAGE_4K, PTE_WRITE);
	}
	perm_cases(&pml5w, "pml5e", EPT_LEVEL_PML5E, pml5_skip);
	pml5e_misconfig(&pml5w, pml5_skip);

	ept_env_exit(&env);
	report_prefix_pop();
}

TEST("ept_5level", ept_5level);
