/*
 * ept_modes: the two-dimensional walk in every guest paging mode:
 *   long4  64-bit code, 4-level paging (SDM Vol. 3A 4.5);
 *   pae    32-bit code, PAE paging (4.4): PDPTEs are registers;
 *   pg32   32-bit code, 32-bit paging (4.3), CR4.PSE for the 4-MByte
 *          identity map; every GPA below 4 GiB;
 *   nopg   32-bit code, CR0.PG = 0 with "unrestricted guest": the linear
 *          address is the guest-physical address (29.3.1).
 * In each mode the window (lib/x86/ept_env.h) is restricted in EPT in each
 * way the mode has: its data page's EPT PTE, the EPT PDE above it, and
 * (with paging) the guest PT and PD pages of its translation, moved to
 * window GPAs.  Every restriction kind (not present, read-only,
 * read/execute, execute-only where supported, read/write as the control)
 * meets every access kind (read, write, read-modify-write, fetch).  In
 * pg32 the PD is the root table, which also maps the guest's code: a
 * restriction that stops the guest's first fetch is expected as that
 * fetch (ept_env_expect_run()).
 *
 * PAE only:
 *   - MOV to CR3 loads the four PDPTEs from the PDPT through EPT as a read
 *     (4.4.1; 29.3.3.2: "treated as reads", never a violation for lack of
 *     write permission, EPT A/D on or off); a violation there has
 *     qualification bit 7 clear (no linear address) and bit 8 clear
 *     (Table 28-7); which byte of the 32-byte PDPT the GPA field names is
 *     not specified (model: bits 4:0 free).  ept_model_pae_load_pdptes().
 *   - With EPT, VM entry loads the PDPTE registers from the VMCS, not from
 *     memory (27.3.2.4): the PDPT page not present in EPT must not matter.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"

#define DATA_OFFSET     0x5a8
#define FETCH_OFFSET    0x7f0
#define PATTERN         0x0123456789abcdefull
#define WRITE_VALUE     0xfeedfacecafef00dull
#define VMCALL_BYTES    0xc1010f		/* 0F 01 C1 */

extern char guest32_mov_cr3[];

enum mode_id { MODE_LONG4, MODE_PAE, MODE_PG32, MODE_NOPG };

static const struct mode_desc {
	const char *name;
	struct ept_env_config cfg;
	unsigned pd_level;	/* guest level of the PD's entries (0: no paging) */
} modes[] = {
	[MODE_LONG4] = { "long4", { .mode = GUEST_PAGING_4LEVEL }, 2 },
	[MODE_PAE]   = { "pae",   { .mode = GUEST_PAGING_PAE }, 2 },
	[MODE_PG32]  = { "pg32",  { .mode = GUEST_PAGING_32BIT }, 2 },
	[MODE_NOPG]  = { "nopg",  { .paging_off = true }, 0 },
};

enum target {
	TARGET_DATA_PTE,	/* the EPT PTE mapping the data page */
	TARGET_DATA_PDE,	/* the EPT PDE above it (a non-leaf entry) */
	TARGET_GUEST_PT,	/* the guest PT page of the window's walk */
	TARGET_GUEST_PD,	/* the guest PD page (pg32: the root) */
	NR_TARGETS
};

static const struct target_desc {
	const char *name, *words;
	bool guest_table;
} targets[] = {
	[TARGET_DATA_PTE] = { "data",     "data page EPT PTE", false },
	[TARGET_DATA_PDE] = { "data-pde", "EPT PDE above the data page", false },
	[TARGET_GUEST_PT] = { "pt",       "guest PT page", true },
	[TARGET_GUEST_PD] = { "pd",       "guest PD page", true },
};

static const struct perm_desc {
	const char *name;
	uint64_t rwx;
} perms[] = {
	{ "np", 0 },
	{ "ro", EPT_READ },
	{ "rx", EPT_READ | EPT_EXEC },
	{ "xo", EPT_EXEC },
	{ "rw", EPT_READ | EPT_WRITE },
};

static const enum guest_op ops[] = {
	GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_RMW, GUEST_OP_FETCH,
};

struct mode_setup {
	const struct mode_desc *m;
	struct ept_env env;
	bool ready;
	const char *why;
	uint8_t *page;
	uint64_t gla_page, gpa_page;
	uint64_t table_gpa[3];	/* [1] PT, [2] PD: window GPAs of the moved tables */
};

static const char *exec_only_why = "IA32_VMX_EPT_VPID_CAP bit 0 (execute-only translations) = 0";

/*
 * The window's page with a 4K guest leaf (when paging) and a 4K EPT leaf,
 * and its PT and PD moved to window GPAs above the data GPAs, in a 2-MByte
 * range of their own, so that restricting the data page's EPT PDE leaves
 * them alone.
 */
static void mode_setup(struct mode_setup *s, const struct mode_desc *m)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->ready = ept_env_init(&s->env, &m->cfg, &s->why);
	if (!s->ready)
		return;
	s->page = alloc_page();
	s->gla_page = ept_env_map(&s->env, (uintptr_t)s->page, PAGE_4K, EPT_RWX_MASK | EPT_WB,
				  PAGE_4K, PTE_WRITE | PTE_ACCESSED | PTE_DIRTY);
	s->gpa_page = ept_env_gpa(&s->env, (uintptr_t)s->page);
	if (!m->pd_level)
		return;
	for (unsigned level = 2; level >= 1; level--) {
		uint64_t gpa = s->env.window_gpa + ALIGN_UP(alloc_region_end(), PAGE_2M) +
			       level * PAGE_4K;
		uint64_t hpa = gpt_relocate_table(&s->env.gpt, s->gla_page, level, gpa);

		ept_map(&s->env.ept, gpa, hpa, PAGE_4K, EPT_RWX_MASK | EPT_WB);
		s->table_gpa[level] = gpa;
	}
	/* pg32: the PD is the root; CR3 follows it. */
	vmcs_write(VMCS_GUEST_CR3, gpt_cr3(&s->env.gpt));
	/* The code's top-level entry keeps its accessed flag, so a read-only
	 * root lets the code run (PAE: the PDPTEs have no such flag). */
	if (m->cfg.mode != GUEST_PAGING_PAE)
		gpt_entry_update(&s->env.gpt, ept_env_stub(&s->env, GUEST_OP_READ),
				 s->env.gpt.levels, PTE_ACCESSED, 0);
}

static void restore(struct mode_setup *s)
{
	ept_set_perms(&s->env.ept, s->gpa_page, EPT_LEVEL_PTE, EPT_RWX_MASK);
	ept_set_perms(&s->env.ept, s->gpa_page, EPT_LEVEL_PDE, EPT_RWX_MASK);
	for (unsigned level = 1; level <= 2; level++)
		if (s->table_gpa[level])
			ept_set_perms(&s->env.ept, s->table_gpa[level], EPT_LEVEL_PTE, EPT_RWX_MASK);
}

/* The window's guest entries: accessed (and the leaf's dirty) flags preset
 * or clear; PAE PDPTEs have none (bits 8:5 reserved, 4.4.1). */
static void set_guest_ad(struct mode_setup *s, bool preset)
{
	for (unsigned level = 1; level <= s->env.gpt.levels; level++) {
		uint64_t flags = PTE_ACCESSED | (level == 1 ? PTE_DIRTY : 0);

		if (s->m->cfg.mode == GUEST_PAGING_PAE && level == 3)
			continue;
		gpt_entry_update(&s->env.gpt, s->gla_page, level, preset ? flags : 0,
				 preset ? 0 : PTE_ACCESSED | PTE_DIRTY);
	}
}

/* A case that cannot run here reports SKIP with the reason: the mode is
 * unavailable, or the restriction is execute-only without that capability. */
static bool skip_case(const struct mode_setup *s, const struct perm_desc *p, const char *id,
		      const char *words)
{
	if (!s->ready) {
		report_skip(id, words, "%s", s->why);
		return true;
	}
	if (p->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY)) {
		report_skip(id, words, "%s", exec_only_why);
		return true;
	}
	return false;
}

static void access_case(struct mode_setup *s, enum target t, const struct perm_desc *p,
			enum guest_op op, int gad)
{
	const struct target_desc *td = &targets[t];
	uint64_t gla = s->gla_page + (op == GUEST_OP_FETCH ? FETCH_OFFSET : DATA_OFFSET);
	char id[80], words[128];
	struct ept_outcome o;
	struct vmx_exit e;

	snprintf(id, sizeof(id), "%s.%s.%s.%s%s", s->m->name, td->name, p->name,
		 guest_op_name(op), gad < 0 ? "" : gad ? ".gad-set" : ".gad-clear");
	snprintf(words, sizeof(words), "%s guest, %s %s%s, %s", s->m->name, td->words,
		 ept_perm_str(p->rwx), gad < 0 ? "" : gad ? ", guest A/D set" : ", guest A/D clear",
		 guest_op_name(op));
	if (skip_case(s, p, id, words))
		return;

	*(volatile uint64_t *)(s->page + DATA_OFFSET) = PATTERN;
	*(volatile uint64_t *)(s->page + FETCH_OFFSET) = VMCALL_BYTES;
	if (s->m->pd_level)
		set_guest_ad(s, gad != 0);
	switch (t) {
	case TARGET_DATA_PTE:
		ept_set_perms(&s->env.ept, s->gpa_page, EPT_LEVEL_PTE, p->rwx);
		break;
	case TARGET_DATA_PDE:
		ept_set_perms(&s->env.ept, s->gpa_page, EPT_LEVEL_PDE, p->rwx);
		break;
	case TARGET_GUEST_PT:
		ept_set_perms(&s->env.ept, s->table_gpa[1], EPT_LEVEL_PTE, p->rwx);
		break;
	case TARGET_GUEST_PD:
		ept_set_perms(&s->env.ept, s->table_gpa[2], EPT_LEVEL_PTE, p->rwx);
		break;
	default:
		break;
	}
	ept_env_expect_run(&s->env, op, gla, &o);
	if (o.order_ambiguous) {
		report_skip(id, words, "the SDM does not order guest A/D updates against the walk "
			    "(Vol. 3A 4.8): the model sets order_ambiguous");
		restore(s);
		return;
	}
	e = ept_env_run(&s->env, op, gla, op == GUEST_OP_RMW ? 1 : WRITE_VALUE);
	expect_ept_outcome(id, words, &o, &e);
	restore(s);
}

/* MOV to CR3 must not exit: "CR3-load exiting" off, or, where it is a
 * must-be-1 control, the new value in CR3-target value 0 (SDM 25.6.7). */
static bool allow_mov_cr3(uint64_t cr3)
{
	if (!(vmcs_read(VMCS_PROC_BASED_CONTROLS) & CPU_CR3_LOAD_EXITING))
		return true;
	if (((vmx_caps.misc >> 16) & 0x1ff) == 0)
		return false;
	vmcs_write(VMCS_CR3_TARGET_VALUE0, cr3);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 1);
	return true;
}

/*
 * PAE: the guest executes MOV to CR3 with a copy of its PDPT at @offset in
 * a page whose EPT leaf has the permissions under test.
 */
static void pdpte_load_case(struct mode_setup *s, uint8_t *copy, uint64_t copy_gpa,
			    const struct perm_desc *p, unsigned offset)
{
	char id[80], words[128];
	uint64_t cr3 = copy_gpa + offset, saved_cr3, want_pdpte[4];
	struct ept_outcome o;
	struct vmx_exit e;

	/* the configuration asked for, not the EPTP: without VMX there is none */
	snprintf(id, sizeof(id), "pae.pdpte-load.%s.off%#x.%s", p->name, offset,
		 s->m->cfg.ad ? "ad-on" : "ad-off");
	snprintf(words, sizeof(words), "MOV to CR3 %#lx, PDPT page EPT %s, EPT A/D %s", cr3,
		 ept_perm_str(p->rwx), s->m->cfg.ad ? "on" : "off");
	if (skip_case(s, p, id, words))
		return;
	if (!allow_mov_cr3(cr3)) {
		report_skip(id, words, "\"CR3-load exiting\" is a must-be-1 control and "
			    "IA32_VMX_MISC bits 24:16 (CR3-target count) = 0");
		return;
	}
	memcpy(copy + offset, (void *)(uintptr_t)gpt_table_hpa(&s->env.gpt, gpt_cr3(&s->env.gpt)), 32);
	ept_set_perms(&s->env.ept, copy_gpa, EPT_LEVEL_PTE, p->rwx);

	s->env.model.eptp = vmcs_read(VMCS_EPT_POINTER);
	ept_model_pae_load_pdptes(&s->env.model, cr3, want_pdpte, &o);

	saved_cr3 = vmcs_read(VMCS_GUEST_CR3);
	ept_env_sync_pdptes(&s->env);
	ept_invalidate(&s->env.ept);
	vcpu_set_entry(s->env.vcpu, (void (*)(void))guest32_mov_cr3, cr3);
	e = vmx_run_guest(s->env.vcpu);
	if (expect_ept_outcome(id, words, &o, &e) && o.kind == EPT_OUTCOME_TRANSLATION) {
		char cid[96];

		/* The PDPTE registers now hold the copy (28.3.4: saved on exit). */
		snprintf(cid, sizeof(cid), "%s.pdpte3", id);
		report_expect_u64(cid, vmcs_read(VMCS_GUEST_PDPTE3), want_pdpte[3],
				  "guest PDPTE3 after the load equals the PDPT's entry 3");
	}
	vmcs_write(VMCS_GUEST_CR3, saved_cr3);
	ept_set_perms(&s->env.ept, copy_gpa, EPT_LEVEL_PTE, EPT_RWX_MASK);
}

static void pae_pdpte_cases(bool ad)
{
	struct mode_setup s;
	struct ept_env_config cfg = { .mode = GUEST_PAGING_PAE, .ad = ad };
	struct mode_desc m = { "pae", cfg, 2 };
	uint8_t *copy = NULL;
	uint64_t copy_gpa = 0;
	static const unsigned offsets[] = { 0x000, 0x7e0 };

	mode_setup(&s, &m);
	if (s.ready) {
		copy = alloc_page();
		copy_gpa = s.env.window_gpa + ALIGN_UP(alloc_region_end(), PAGE_2M) + 8 * PAGE_4K;
		ept_map(&s.env.ept, copy_gpa, (uintptr_t)copy, PAGE_4K, EPT_RWX_MASK | EPT_WB);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(perms); i++)
		for (unsigned k = 0; k < ARRAY_SIZE(offsets); k++)
			pdpte_load_case(&s, copy, copy_gpa, &perms[i], offsets[k]);
	if (s.ready)
		ept_env_exit(&s.env);
}

/*
 * PAE with the PDPT itself not present in EPT: VM entry takes the PDPTE
 * registers from the VMCS (27.3.2.4), and the walk starts at the PDPTE
 * registers (4.4.2), so nothing reads the PDPT: the model's outcome is the
 * access's own.
 */
static void pae_vmentry_cases(struct mode_setup *s)
{
	uint64_t root_gpa = 0;

	if (s->ready) {
		uint64_t hpa;

		root_gpa = s->env.window_gpa + ALIGN_UP(alloc_region_end(), PAGE_2M) + 4 * PAGE_4K;
		hpa = gpt_relocate_table(&s->env.gpt, s->gla_page, 3, root_gpa);
		ept_map(&s->env.ept, root_gpa, hpa, PAGE_4K, EPT_WB);	/* not present */
		vmcs_write(VMCS_GUEST_CR3, gpt_cr3(&s->env.gpt));
	}
	for (unsigned k = 0; k < ARRAY_SIZE(ops); k++) {
		enum guest_op op = ops[k];
		uint64_t gla = s->gla_page + (op == GUEST_OP_FETCH ? FETCH_OFFSET : DATA_OFFSET);
		char id[64], words[128];
		struct ept_outcome o;
		struct vmx_exit e;

		snprintf(id, sizeof(id), "pae.vmentry-pdptes.%s", guest_op_name(op));
		snprintf(words, sizeof(words), "PDPT page EPT ---, PDPTEs from the VMCS, %s",
			 guest_op_name(op));
		if (!s->ready) {
			report_skip(id, words, "%s", s->why);
			continue;
		}
		*(volatile uint64_t *)(s->page + DATA_OFFSET) = PATTERN;
		*(volatile uint64_t *)(s->page + FETCH_OFFSET) = VMCALL_BYTES;
		set_guest_ad(s, true);
		ept_env_expect_run(&s->env, op, gla, &o);
		e = ept_env_run(&s->env, op, gla, op == GUEST_OP_RMW ? 1 : WRITE_VALUE);
		expect_ept_outcome(id, words, &o, &e);
	}
}

static void ept_modes(void)
{
	report_prefix_push("ept.modes");
	for (unsigned mi = 0; mi < ARRAY_SIZE(modes); mi++) {
		const struct mode_desc *m = &modes[mi];
		struct mode_setup s;

		mode_setup(&s, m);
		for (unsigned t = 0; t < NR_TARGETS; t++) {
			if (targets[t].guest_table && !m->pd_level)
				continue;
			for (unsigned p = 0; p < ARRAY_SIZE(perms); p++)
				for (unsigned k = 0; k < ARRAY_SIZE(ops); k++) {
					if (!targets[t].guest_table) {
						access_case(&s, t, &perms[p], ops[k], -1);
						continue;
					}
					for (int gad = 1; gad >= 0; gad--)
						access_case(&s, t, &perms[p], ops[k], gad);
				}
		}
		if (mi == MODE_PAE)
			pae_vmentry_cases(&s);
		if (s.ready)
			ept_env_exit(&s.env);
	}
	pae_pdpte_cases(false);
	pae_pdpte_cases(true);
	report_prefix_pop();
}

TEST("ept_modes", ept_modes);
