/*
 * ept_paging: EPT violations on the guest's own paging-structure accesses,
 * the first half of the two-dimensional walk, in a 64-bit guest with
 * 4-level paging.  Two tests of one family (unittests.cfg selects each
 * with extra_params=):
 *   ept_paging     EPT accessed/dirty flags off
 *   ept_paging_ad  EPT accessed/dirty flags on (EPTP bit 6): every guest
 *                  paging-structure access is then a write for EPT
 *
 * The tables that translate the window GLA -- the PML4 table, the window's
 * PDPT, PD and PT -- are moved to window GPAs (gpt_relocate_table()) whose
 * 4K EPT leaves carry the permissions under test, one table at a time: not
 * present, read-only, read/execute, execute-only (when
 * IA32_VMX_EPT_VPID_CAP bit 0 allows it) and read/write as the control.
 * Each meets a read, write, read-modify-write and fetch at the window,
 * with the guest entries' own A/D flags preset (gad-set) or clear
 * (gad-clear).  Every case compares the whole outcome (ept_case()): the
 * exit, the bytes a completed access read, wrote or fetched, memory after
 * a stopped write, and the EPT and guest A/D flags of the window's walk.
 * The reference model (ept_model_linear()) cites the SDM rules: guest
 * paging-structure reads and A/D updates are data accesses for EPT, the
 * latter writes (29.3.3.2); with EPT A/D on both are writes (29.3.5) and
 * qualification bits 0 and 1 are set (Table 28-7).
 *
 * The PML4 table also maps the guest's code (PML4E 0): restricting it may
 * stop the guest's first instruction fetch, and the expectation is then
 * the model's outcome for that fetch (ept_env_expect_run()).  PML4E 0
 * keeps its accessed flag, so with EPT A/D off a read-only PML4 page lets
 * the code run and the window's own PML4E decides.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"

/* Where a fetch lands in the window page; data accesses are at
 * MATRIX_OFFSET.  Neither is page-aligned: the GPA and GLA fields must be
 * exact. */
#define FETCH_OFFSET    0x7f0

extern char guest_op_read[];

static const struct table_level {
	const char *name;	/* check-id part */
	const char *words;
	unsigned level;		/* guest paging level of the table's entries */
} table_levels[] = {
	{ "pml4", "PML4 table", 4 },
	{ "pdpt", "PDPT",       3 },
	{ "pd",   "PD",         2 },
	{ "pt",   "PT",         1 },
};


static const enum guest_op ops[] = {
	GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_RMW, GUEST_OP_FETCH,
};

#define NR_CASES (ARRAY_SIZE(table_levels) * ARRAY_SIZE(matrix_restrictions) * ARRAY_SIZE(ops) * 2)

struct paging {
	struct ept_env env;
	bool ad;
	const char *why;	/* every case skips */
	uint8_t *page;
	uint64_t gla_page;
	uint64_t table_gpa[5];	/* by level: the window GPA each table now has */
};

static bool paging_setup(struct paging *s, const char **why)
{
	struct ept_env_config cfg = { .ad = s->ad };

	if (!ept_env_init(&s->env, &cfg, why))
		return false;
	s->page = alloc_page();
	s->gla_page = ept_env_map(&s->env, (uintptr_t)s->page, PAGE_4K, EPT_RWX_MASK | EPT_WB,
				  PAGE_4K, PTE_WRITE);
	/* Move each table of the window's walk to a window GPA: GPA != HPA,
	 * and a 4K EPT leaf of its own that no other mapping shares. */
	for (unsigned level = 4; level >= 1; level--) {
		uint64_t old = gpt_table_gpa(&s->env.gpt, s->gla_page, level);
		uint64_t gpa = s->env.window_gpa + old;
		uint64_t hpa = gpt_relocate_table(&s->env.gpt, s->gla_page, level, gpa);

		ept_map(&s->env.ept, gpa, hpa, PAGE_4K, EPT_RWX_MASK | EPT_WB);
		s->table_gpa[level] = gpa;
	}
	vmcs_write(VMCS_GUEST_CR3, gpt_cr3(&s->env.gpt));
	return true;
}

/* Case i: table level (PML4 first), permission, access kind, guest A/D
 * preset (odd i) or clear. */
static void paging_case(void *ctx, unsigned i)
{
	struct paging *s = ctx;
	const struct table_level *tl = &table_levels[i / (2 * ARRAY_SIZE(ops) * ARRAY_SIZE(matrix_restrictions))];
	const struct matrix_restriction *tp = &matrix_restrictions[(i / (2 * ARRAY_SIZE(ops))) % ARRAY_SIZE(matrix_restrictions)];
	enum guest_op op = ops[(i / 2) % ARRAY_SIZE(ops)];
	bool preset = i % 2;
	uint64_t offset = op == GUEST_OP_FETCH ? FETCH_OFFSET : MATRIX_OFFSET;
	struct ept_case c = {
		.op = op, .gla = s->gla_page + offset,
		.host = (volatile uint64_t *)(s->page + offset),
		/* a restricted PML4 table may stop the guest's own code fetch */
		.expect_run = true,
	};
	char id[80], words[160];

	snprintf(id, sizeof(id), "%s.%s.%s.%s.%s", tl->name, tp->name, guest_op_name(op),
		 preset ? "gad-set" : "gad-clear", s->ad ? "ad-on" : "ad-off");
	snprintf(words, sizeof(words), "%s EPT %s, guest A/D %s, %s", tl->words,
		 ept_perm_str(tp->rwx), preset ? "set" : "clear", guest_op_name(op));
	if (s->why) {
		ept_case_skip(id, words, s->why);
		return;
	}
	if (tp->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY)) {
		ept_case_skip(id, words, "IA32_VMX_EPT_VPID_CAP bit 0 (execute-only translations) = 0");
		return;
	}

	/* The whole state the case depends on: every table's EPT leaf and
	 * its EPT A/D flags, the window's guest A/D flags, PML4E 0's A. */
	for (unsigned level = 4; level >= 1; level--) {
		ept_set_perms(&s->env.ept, s->table_gpa[level], EPT_LEVEL_PTE,
			      level == tl->level ? tp->rwx : EPT_RWX_MASK);
		ept_clear_ad(&s->env.ept, s->table_gpa[level]);
	}
	ept_case_begin(&s->env, c.gla);
	if (preset)
		for (unsigned level = 4; level >= 1; level--)
			gpt_entry_update(&s->env.gpt, c.gla, level,
					 PTE_ACCESSED | (level == 1 ? PTE_DIRTY : 0), 0);
	gpt_entry_update(&s->env.gpt, (uintptr_t)guest_op_read, 4, PTE_ACCESSED, 0);
	ept_case(&s->env, id, words, &c);
}

static void paging_family(bool ad)
{
	static struct paging s;

	memset(&s, 0, sizeof(s));
	s.ad = ad;
	report_prefix_push("ept.paging");
	if (paging_setup(&s, &s.why))
		s.why = NULL;
	cases_run(NR_CASES, paging_case, &s);
	if (!s.why)
		ept_env_exit(&s.env);
	report_prefix_pop();
}

static void ept_paging(void) { paging_family(false); }
static void ept_paging_ad(void) { paging_family(true); }

TEST("ept_paging", ept_paging);
TEST("ept_paging_ad", ept_paging_ad);
