#ifndef X86_EPT_PAGING_BODY_H
#define X86_EPT_PAGING_BODY_H
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"

#define DATA_OFFSET     0x5a8
#define FETCH_OFFSET    0x7f0
#define PATTERN         0x0123456789abcdefull
#define WRITE_VALUE     0xfeedfacecafef00dull
#define VMCALL_BYTES    0xc1010f		/* 0F 01 C1 */

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

static const struct table_perm {
	const char *name;
	uint64_t rwx;
} table_perms[] = {
	{ "np", 0 },
	{ "ro", EPT_READ },
	{ "rx", EPT_READ | EPT_EXEC },
	{ "xo", EPT_EXEC },			/* needs EPT_CAP_EXEC_ONLY */
	{ "rw", EPT_READ | EPT_WRITE },		/* control */
};

static const enum guest_op ops[] = {
	GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_RMW, GUEST_OP_FETCH,
};

struct paging_setup {
	struct ept_env env;
	uint8_t *page;
	uint64_t gla_page;
	uint64_t table_gpa[5];	/* by level: the window GPA each table now has */
};

/* The window's entries at every level: accessed (and, in the leaf, dirty)
 * preset or clear.  PML4E 0 (the code) always has its accessed flag. */
static void set_guest_ad(struct paging_setup *s, bool preset)
{
	for (unsigned level = 4; level >= 1; level--) {
		uint64_t flags = PTE_ACCESSED | (level == 1 ? PTE_DIRTY : 0);

		gpt_entry_update(&s->env.gpt, s->gla_page, level, preset ? flags : 0,
				 preset ? 0 : PTE_ACCESSED | PTE_DIRTY);
	}
	gpt_entry_update(&s->env.gpt, (uintptr_t)guest_op_read, 4, PTE_ACCESSED, 0);
}

static bool paging_setup(struct paging_setup *s, bool ad, const char **why)
{
	struct ept_env_config cfg = { .ad = ad };

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

/* @skip_why: the environment could not be built (a capability): the
 * case is reported skipped under the same id. */
static void run_case(struct paging_setup *s, bool ad, const struct table_level *tl,
		     const struct table_perm *tp, enum guest_op op, bool preset,
		     const char *skip_why)
{
	struct ept_env *env = &s->env;
	uint64_t gla = s->gla_page + (op == GUEST_OP_FETCH ? FETCH_OFFSET : DATA_OFFSET);
	char id[80], words[160];
	struct ept_outcome o;
	struct vmx_exit e;

	snprintf(id, sizeof(id), "%s.%s.%s.%s.%s", tl->name, tp->name, guest_op_name(op),
		 preset ? "gad-set" : "gad-clear", ad ? "ad-on" : "ad-off");
	snprintf(words, sizeof(words), "%s EPT %s, guest A/D %s, %s", tl->words,
		 ept_perm_str(tp->rwx), preset ? "set" : "clear", guest_op_name(op));
	if (skip_why) {
		report_skip(id, words, "%s", skip_why);
		return;
	}
	if (tp->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY)) {
		report_skip(id, words, "IA32_VMX_EPT_VPID_CAP bit 0 (execute-only translations) = 0");
		return;
	}

	*(volatile uint64_t *)(s->page + DATA_OFFSET) = PATTERN;
	*(volatile uint64_t *)(s->page + FETCH_OFFSET) = VMCALL_BYTES;
	for (unsigned level = 4; level >= 1; level--)
		ept_set_perms(&env->ept, s->table_gpa[level], EPT_LEVEL_PTE,
			      level == tl->level ? tp->rwx : EPT_RWX_MASK);
	set_guest_ad(s, preset);

	ept_env_expect_run(env, op, gla, &o);
	if (o.order_ambiguous) {
		report_skip(id, words, "the SDM does not order guest A/D updates against the walk "
			    "(Vol. 3A 4.8): the model sets order_ambiguous");
		return;
	}
	e = ept_env_run(env, op, gla, op == GUEST_OP_RMW ? 1 : WRITE_VALUE);
	expect_ept_outcome(id, words, &o, &e);
}

/* One half of the matrix: EPT A/D off (ept_paging) or on (ept_paging_ad),
 * two kernels so that each stays short on an emulator. */
static void ept_paging_run(bool ad)
{
	struct paging_setup s;
	const char *why = NULL;
	bool ready;

	report_prefix_push("ept.paging");
	ready = paging_setup(&s, ad, &why);
	for (unsigned l = 0; l < ARRAY_SIZE(table_levels); l++)
		for (unsigned p = 0; p < ARRAY_SIZE(table_perms); p++)
			for (unsigned k = 0; k < ARRAY_SIZE(ops); k++)
				for (unsigned preset = 0; preset < 2; preset++)
					run_case(&s, ad, &table_levels[l], &table_perms[p], ops[k],
						 preset, ready ? NULL : why);
	if (ready)
		ept_env_exit(&s.env);
	report_prefix_pop();
}

#endif
