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
 * naming MAXPHYADDR.  The leaf cases use the ordinary window of ept_env,
 * the PML5E cases an environment whose window is moved to GPA 2^48.
 * Every case sets the entry it is about and is one ept_case()
 * (matrix_access_case()): the whole outcome the reference model gives,
 * data or memory, A/D flags.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"
#include "x86/processor.h"

#define PML5_WINDOW_GPA (1ull << 48)            /* PML5E index 1 */
#define PML5_WINDOW_GLA 0x00007f8000000000ull   /* guest PML4E index 255 */

static const enum guest_op ops[] = { GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_FETCH };

#define NR_PERM_CASES   (8 * ARRAY_SIZE(ops))	/* R/W/X value, access */

/* One window: its environment, the level its cases edit, the entry as
 * mapped, and its reserved-bit cases (PML5E only). */
struct level_run {
	struct ept_env env;
	enum ept_level level;
	const char *why;	/* every case skips */
	uint8_t *host;
	uint64_t gla, gpa, canon;
	unsigned nr_bits;
	uint8_t bit[64];	/* reserved bits of a PML5E */
};

/*
 * Case i < NR_PERM_CASES: R/W/X value and access kind on the level's
 * entry.  After them (PML5E): each reserved bit in a present entry, then
 * each in a not-present one, a read each.
 */
static void level_case(void *ctx, unsigned i)
{
	struct level_run *r = ctx;
	const char *name = r->level == EPT_LEVEL_PML5E ? "PML5E" : "4K PTE";
	enum guest_op op = GUEST_OP_READ;
	uint64_t value;
	char id[64], words[96];

	if (i < NR_PERM_CASES) {
		uint64_t rwx = i / ARRAY_SIZE(ops);

		op = ops[i % ARRAY_SIZE(ops)];
		snprintf(id, sizeof(id), "%s.%s.%s", matrix_level_id(r->level), ept_perm_str(rwx),
			 guest_op_name(op));
		snprintf(words, sizeof(words), "%s, %s %s, 5-level walk", guest_op_name(op), name,
			 ept_perm_str(rwx));
		value = (r->canon & ~EPT_RWX_MASK) | rwx;
	} else {
		unsigned k = i - NR_PERM_CASES, b = r->bit[k % r->nr_bits];
		bool np = k >= r->nr_bits;

		snprintf(id, sizeof(id), "pml5e.%s%u", np ? "np-bit" : "bit", b);
		snprintf(words, sizeof(words), "read, PML5E %s with bit %u set",
			 np ? "not present" : "RWX", b);
		/* bits 62:3 of a not-present entry are ignored (29.3.2) */
		value = (np ? r->canon & ~EPT_RWX_MASK : r->canon) | BIT(b);
	}
	if (r->why) {
		ept_case_skip(id, words, r->why);
		return;
	}
	*ept_entry_must(&r->env.ept, r->gpa, r->level) = value;
	matrix_access_case(&r->env, id, words, op, r->gla, r->host, NULL);
}

static void level_run(struct level_run *r, enum ept_level level)
{
	struct ept_env_config cfg = { .ept_levels = 5 };
	unsigned maxphy = cpu_maxphyaddr();
	uint64_t rsvd = BITS(7, 3) | (maxphy >= 52 ? 0 : BITS(51, maxphy));	/* Table 29-1 */
	static char why_maxphy[96];
	bool have_env;

	memset(r, 0, sizeof(*r));
	r->level = level;
	if (level == EPT_LEVEL_PML5E)
		for (unsigned b = 3; b < 64; b++)
			if (rsvd & BIT(b))
				r->bit[r->nr_bits++] = (uint8_t)b;
	have_env = ept_env_init(&r->env, &cfg, &r->why);
	if (have_env && level == EPT_LEVEL_PML5E && maxphy < 49) {
		snprintf(why_maxphy, sizeof(why_maxphy),
			 "MAXPHYADDR %u < 49: no GPA outside the guest's own PML5E", maxphy);
		r->why = why_maxphy;
	}
	if (have_env && !r->why) {
		if (level == EPT_LEVEL_PML5E) {
			/* the window at PML5E index 1 (ept_env_map() maps from
			 * these, and ept_case() finds the walks by them) */
			r->env.window_gpa = PML5_WINDOW_GPA;
			r->env.window_gla = PML5_WINDOW_GLA;
		}
		r->host = matrix_map_page(&r->env, PAGE_4K, &r->gla, &r->gpa);
		r->canon = *ept_entry_must(&r->env.ept, r->gpa, level);
	}
	cases_run(NR_PERM_CASES + 2 * r->nr_bits, level_case, r);
	if (have_env)
		ept_env_exit(&r->env);
}

static void ept_5level(void)
{
	static struct level_run r;

	report_prefix_push("ept.5level");
	level_run(&r, EPT_LEVEL_PTE);
	level_run(&r, EPT_LEVEL_PML5E);
	report_prefix_pop();
}

TEST("ept_5level", ept_5level);
