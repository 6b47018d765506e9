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
 * fetch (ept_env_expect_run()).  Every case compares the whole outcome
 * (ept_case()): the exit, the bytes a completed access read, wrote or
 * fetched (32-bit guests: 4 bytes), memory after a stopped write, and the
 * EPT and guest A/D flags of the window's walk; each sets every
 * restriction and A/D flag it depends on (shuffle=SEED).
 *
 * PAE only:
 *   - MOV to CR3 loads the four PDPTEs from the PDPT through EPT as a read
 *     (4.4.1; 29.3.3.2: "treated as reads", never a violation for lack of
 *     write permission, EPT A/D on or off); a violation there has
 *     qualification bit 7 clear (no linear address) and bit 8 clear
 *     (Table 28-7); which byte of the 32-byte PDPT the GPA field names is
 *     not specified (model: bits 4:0 free).  ept_model_pae_load_pdptes():
 *     the exit, the four PDPTE registers a completed load leaves in the
 *     VMCS (28.3.4) and the EPT A/D flags of the PDPT page's walk.
 *   - With EPT, VM entry loads the PDPTE registers from the VMCS, not from
 *     memory (27.3.2.4): the PDPT page not present in EPT must not matter.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ad_model.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"

/* Where a fetch lands in the window page; data accesses are at
 * MATRIX_OFFSET. */
#define FETCH_OFFSET    0x7f0

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
	TARGET_PAE_PDPT,	/* PAE: the PDPT page, PDPTEs from the VMCS */
	NR_TARGETS
};

static const struct target_desc {
	const char *name, *words;
	bool guest_table;	/* paging modes only, with guest A/D preset and clear */
} targets[] = {
	[TARGET_DATA_PTE] = { "data",     "data page EPT PTE", false },
	[TARGET_DATA_PDE] = { "data-pde", "EPT PDE above the data page", false },
	[TARGET_GUEST_PT] = { "pt",       "guest PT page", true },
	[TARGET_GUEST_PD] = { "pd",       "guest PD page", true },
	[TARGET_PAE_PDPT] = { "vmentry-pdptes", "PDPT page EPT ---, PDPTEs from the VMCS", false },
};


static const enum guest_op ops[] = {
	GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_RMW, GUEST_OP_FETCH,
};

/* PAE PDPTE loads: where the copy of the PDPT sits in its page. */
static const unsigned pdpt_offsets[] = { 0x000, 0x7e0 };

/* One case of a mode: a restriction meets an access kind. */
struct mode_case {
	uint8_t target, perm, op;
	int8_t gad;		/* guest A/D preset (1) or clear (0); -1: not in the id (preset) */
};

#define MODE_CASES_MAX (NR_TARGETS * ARRAY_SIZE(matrix_restrictions) * ARRAY_SIZE(ops) * 2)

struct mode_setup {
	const struct mode_desc *m;
	struct ept_env env;
	const char *why;	/* every case skips */
	uint8_t *page;
	uint64_t gla_page, gpa_page;
	/* window GPAs of the moved tables ([1] PT, [2] PD, [3] PAE PDPT) */
	uint64_t table_gpa[4];
	uint64_t table_base;	/* the 2-MByte range they are in */
	struct mode_case cases[MODE_CASES_MAX];
	unsigned nr_cases;
	/* PDPTE loads */
	bool ad;
	uint8_t *copy;
	uint64_t copy_gpa;
};

static const char *exec_only_why = "IA32_VMX_EPT_VPID_CAP bit 0 (execute-only translations) = 0";

/*
 * The window's page with a 4K guest leaf (when paging) and a 4K EPT leaf,
 * and its PT and PD (PAE: and PDPT) moved to window GPAs above the data
 * GPAs, in a 2-MByte range of their own, so that restricting the data
 * page's EPT PDE leaves them alone.
 */
static void mode_setup(struct mode_setup *s, const struct mode_desc *m, bool ad)
{
	struct ept_env_config cfg = m->cfg;
	unsigned top;

	memset(s, 0, sizeof(*s));
	s->m = m;
	s->ad = ad;
	cfg.ad = ad;
	if (ept_env_init(&s->env, &cfg, &s->why))
		s->why = NULL;
	if (s->why)
		return;
	s->page = alloc_page();
	s->gla_page = ept_env_map(&s->env, (uintptr_t)s->page, PAGE_4K, EPT_RWX_MASK | EPT_WB,
				  PAGE_4K, PTE_WRITE);
	s->gpa_page = ept_env_gpa(&s->env, (uintptr_t)s->page);
	if (!m->pd_level)
		return;
	s->table_base = s->env.window_gpa + ALIGN_UP(alloc_region_end(), PAGE_2M);
	top = m->cfg.mode == GUEST_PAGING_PAE ? 3 : 2;
	for (unsigned level = top; level >= 1; level--) {
		uint64_t gpa = s->table_base + (level == 3 ? 4 : level) * PAGE_4K;
		uint64_t hpa = gpt_relocate_table(&s->env.gpt, s->gla_page, level, gpa);

		ept_map(&s->env.ept, gpa, hpa, PAGE_4K, EPT_RWX_MASK | EPT_WB);
		s->table_gpa[level] = gpa;
	}
	/* pg32: the PD is the root; PAE: the PDPT.  CR3 follows it. */
	vmcs_write(VMCS_GUEST_CR3, gpt_cr3(&s->env.gpt));
}

static void add_case(struct mode_setup *s, enum target t, unsigned p, unsigned k, int gad)
{
	s->cases[s->nr_cases++] = (struct mode_case){ (uint8_t)t, (uint8_t)p, (uint8_t)k, (int8_t)gad };
}

/* The mode's matrix, in report order. */
static void mode_cases(struct mode_setup *s)
{
	for (unsigned t = 0; t < TARGET_PAE_PDPT; t++) {
		if (targets[t].guest_table && !s->m->pd_level)
			continue;
		for (unsigned p = 0; p < ARRAY_SIZE(matrix_restrictions); p++)
			for (unsigned k = 0; k < ARRAY_SIZE(ops); k++) {
				if (!targets[t].guest_table)
					add_case(s, t, p, k, -1);
				else
					for (int gad = 1; gad >= 0; gad--)
						add_case(s, t, p, k, gad);
			}
	}
	if (s->m->cfg.mode == GUEST_PAGING_PAE && !s->m->cfg.paging_off)
		for (unsigned k = 0; k < ARRAY_SIZE(ops); k++)
			add_case(s, TARGET_PAE_PDPT, 0, k, -1);
}

/* The EPT permissions of every restriction the mode has: RWX but the
 * case's target. */
static void set_restrictions(struct mode_setup *s, enum target t, uint64_t rwx)
{
	ept_set_perms(&s->env.ept, s->gpa_page, EPT_LEVEL_PTE,
		      t == TARGET_DATA_PTE ? rwx : EPT_RWX_MASK);
	ept_set_perms(&s->env.ept, s->gpa_page, EPT_LEVEL_PDE,
		      t == TARGET_DATA_PDE ? rwx : EPT_RWX_MASK);
	for (unsigned level = 1; level <= 3; level++) {
		bool target = (level == 1 && t == TARGET_GUEST_PT) ||
			      (level == 2 && t == TARGET_GUEST_PD) ||
			      (level == 3 && t == TARGET_PAE_PDPT);

		if (!s->table_gpa[level])
			continue;
		ept_set_perms(&s->env.ept, s->table_gpa[level], EPT_LEVEL_PTE,
			      target ? rwx : EPT_RWX_MASK);
		ept_clear_ad(&s->env.ept, s->table_gpa[level]);
	}
}

/* The window's guest entries: accessed (and the leaf's dirty) flags preset
 * or clear (ept_case_begin() cleared them); PAE PDPTEs have none (bits 8:5
 * reserved, 4.4.1).  The code's top-level entry keeps its accessed flag,
 * so a read-only root lets the code run. */
static void set_guest_ad(struct mode_setup *s, uint64_t gla, bool preset)
{
	bool pae = s->m->cfg.mode == GUEST_PAGING_PAE;

	for (unsigned level = 1; preset && level <= s->env.gpt.levels; level++)
		if (!(pae && level == 3))
			gpt_entry_update(&s->env.gpt, gla, level,
					 PTE_ACCESSED | (level == 1 ? PTE_DIRTY : 0), 0);
	if (!pae)
		gpt_entry_update(&s->env.gpt, ept_env_stub(&s->env, GUEST_OP_READ),
				 s->env.gpt.levels, PTE_ACCESSED, 0);
}

static void access_case(void *ctx, unsigned i)
{
	struct mode_setup *s = ctx;
	const struct mode_case *mc = &s->cases[i];
	const struct target_desc *td = &targets[mc->target];
	const struct matrix_restriction *p = &matrix_restrictions[mc->perm];
	enum guest_op op = ops[mc->op];
	uint64_t offset = op == GUEST_OP_FETCH ? FETCH_OFFSET : MATRIX_OFFSET;
	struct ept_case c = {
		.op = op, .gla = s->gla_page + offset,
		.host = (volatile uint64_t *)(s->page + offset),
		/* pg32: a restricted root may stop the guest's own code fetch */
		.expect_run = true,
	};
	char id[80], words[128];

	if (mc->target == TARGET_PAE_PDPT) {
		snprintf(id, sizeof(id), "%s.%s.%s", s->m->name, td->name, guest_op_name(op));
		snprintf(words, sizeof(words), "%s, %s", td->words, guest_op_name(op));
	} else {
		snprintf(id, sizeof(id), "%s.%s.%s.%s%s", s->m->name, td->name, p->name,
			 guest_op_name(op), mc->gad < 0 ? "" : mc->gad ? ".gad-set" : ".gad-clear");
		snprintf(words, sizeof(words), "%s guest, %s %s%s, %s", s->m->name, td->words,
			 ept_perm_str(p->rwx),
			 mc->gad < 0 ? "" : mc->gad ? ", guest A/D set" : ", guest A/D clear",
			 guest_op_name(op));
	}
	if (s->why) {
		ept_case_skip(id, words, s->why);
		return;
	}
	if (p->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY)) {
		ept_case_skip(id, words, exec_only_why);
		return;
	}
	set_restrictions(s, mc->target, p->rwx);
	ept_case_begin(&s->env, c.gla);
	if (s->m->pd_level)
		set_guest_ad(s, c.gla, mc->gad != 0);
	ept_case(&s->env, id, words, &c);
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
 * The EPT entries of the PDPT copy's walk that nothing but the load uses:
 * from the window's own EPT PDPTE (ept_env.h: 32-bit guests) down.
 */
static unsigned copy_walk(struct mode_setup *s, uint64_t hpa[OUTCOME_AD_MAX], uint8_t level[OUTCOME_AD_MAX])
{
	unsigned n = 0;

	for (unsigned l = EPT_LEVEL_PDPTE; l >= EPT_LEVEL_PTE; l--) {
		uint64_t *e = ept_entry(&s->env.ept, s->copy_gpa, l);

		if (!e)
			break;
		hpa[n] = (uintptr_t)e;
		level[n++] = (uint8_t)l;
	}
	return n;
}

/*
 * PAE: the guest executes MOV to CR3 with a copy of its PDPT at an offset
 * in a page whose EPT leaf has the permissions under test.  Case i:
 * permission, offset.
 */
static void pdpte_load_case(void *ctx, unsigned i)
{
	struct mode_setup *s = ctx;
	const struct matrix_restriction *p = &matrix_restrictions[i / ARRAY_SIZE(pdpt_offsets)];
	unsigned offset = pdpt_offsets[i % ARRAY_SIZE(pdpt_offsets)];
	uint64_t cr3 = s->copy_gpa + offset, want_pdpte[4], ept_hpa[OUTCOME_AD_MAX];
	struct ept_trace trace = { .n = 1 };
	struct outcome want = { 0 }, got = { 0 };
	struct ept_outcome o;
	struct vmx_exit e;
	char id[80], words[128];
	unsigned n;

	snprintf(id, sizeof(id), "pae.pdpte-load.%s.off%#x.%s", p->name, offset,
		 s->ad ? "ad-on" : "ad-off");
	snprintf(words, sizeof(words), "MOV to CR3 %#lx, PDPT page EPT %s, EPT A/D %s", cr3,
		 ept_perm_str(p->rwx), s->ad ? "on" : "off");
	if (s->why || (p->rwx == EPT_EXEC && !ept_cap(EPT_CAP_EXEC_ONLY))) {
		ept_case_skip(id, words, s->why ? s->why : exec_only_why);
		return;
	}
	if (!allow_mov_cr3(cr3)) {
		ept_case_skip(id, words, "\"CR3-load exiting\" is a must-be-1 control and "
			      "IA32_VMX_MISC bits 24:16 (CR3-target count) = 0");
		return;
	}
	/* the case's whole state: the guest's own CR3 and PDPTE registers,
	 * the copy, its EPT leaf and the A/D flags of its walk */
	vmcs_write(VMCS_GUEST_CR3, gpt_cr3(&s->env.gpt));
	ept_env_sync_pdptes(&s->env);
	memset(s->copy, 0, PAGE_4K);
	memcpy(s->copy + offset, (void *)(uintptr_t)gpt_table_hpa(&s->env.gpt, gpt_cr3(&s->env.gpt)), 32);
	ept_set_perms(&s->env.ept, s->copy_gpa, EPT_LEVEL_PTE, p->rwx);
	ept_clear_ad(&s->env.ept, s->copy_gpa);

	s->env.model.eptp = vmcs_read(VMCS_EPT_POINTER);
	ept_model_pae_load_pdptes(&s->env.model, cr3, want_pdpte, &o);
	outcome_want_exit(&want, &o);
	/* the load is the one guest-physical access that decides (step 0) */
	trace.e[0] = (struct ept_trace_entry){ .gpa = cr3 & 0xffffffe0ull,
					       .kind = EPT_ACCESS_PDPTE_LOAD };
	o.step = 0;
	n = copy_walk(s, ept_hpa, want.ept_ad_level);
	want.nr_ept_ad = (uint8_t)n;
	for (unsigned k = 0; k < n; k++) {
		struct ad_flags a = ad_model_ept(&s->env.model, &o, &trace, ept_hpa[k]);

		outcome_want_ad(&want, FLD_EPT_AD, k, a);
	}

	ept_invalidate(&s->env.ept);
	vcpu_set_entry(s->env.vcpu, (void (*)(void))guest32_mov_cr3, cr3);
	e = vmx_run_guest(s->env.vcpu);
	outcome_got_exit(&got, &e);
	for (unsigned k = 0; k < n; k++) {
		uint64_t v = *(volatile uint64_t *)(uintptr_t)ept_hpa[k];

		got.v[FLD_EPT_AD] |= (uint64_t)!!(v & EPT_ACCESSED) << (2 * k) |
				     (uint64_t)!!(v & EPT_DIRTY) << (2 * k + 1);
	}
	if (!outcome_check(id, words, &want, &got))
		vmx_exit_report_info(&e);
	if (o.kind == EPT_OUTCOME_TRANSLATION) {
		static const enum vmcs_field pdpte_field[4] = {
			VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3,
		};

		/* The PDPTE registers now hold the copy (28.3.4: saved on exit). */
		for (unsigned k = 0; k < 4; k++) {
			char cid[96];

			snprintf(cid, sizeof(cid), "%s.pdpte%u", id, k);
			report_expect_u64(cid, "data", vmcs_read(pdpte_field[k]), want_pdpte[k],
					  "guest PDPTE%u after the load equals the PDPT's entry %u", k, k);
		}
	}
}

static void pae_pdpte_cases(bool ad)
{
	static struct mode_setup s;

	mode_setup(&s, &modes[MODE_PAE], ad);
	if (!s.why) {
		s.copy = alloc_page();
		s.copy_gpa = s.table_base + 8 * PAGE_4K;
		ept_map(&s.env.ept, s.copy_gpa, (uintptr_t)s.copy, PAGE_4K, EPT_RWX_MASK | EPT_WB);
	}
	cases_run(ARRAY_SIZE(matrix_restrictions) * ARRAY_SIZE(pdpt_offsets), pdpte_load_case, &s);
	if (!s.why)
		ept_env_exit(&s.env);
}

static void ept_modes(void)
{
	static struct mode_setup s;

	report_prefix_push("ept.modes");
	for (unsigned mi = 0; mi < ARRAY_SIZE(modes); mi++) {
		mode_setup(&s, &modes[mi], false);
		mode_cases(&s);
		cases_run(s.nr_cases, access_case, &s);
		if (!s.why)
			ept_env_exit(&s.env);
	}
	pae_pdpte_cases(false);
	pae_pdpte_cases(true);
	report_prefix_pop();
}

TEST("ept_modes", ept_modes);
