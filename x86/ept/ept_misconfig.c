/*
 * ept_misconfig: EPT misconfigurations (SDM 29.3.3.1) against EPT
 * violations (29.3.3.2) and plain translations, entry by entry.
 *
 * The test window of ept_env is mapped three ways in turn -- 4K leaf
 * (PML4E, PDPTE and PDE referencing tables, PTE), 2M PDE leaf, 1G PDPTE
 * leaf -- and one entry of the window's walk is edited in place per case:
 *   - each reserved bit on its own: 51:MAXPHYADDR everywhere, 7:3 of a
 *     PML4E, 6:3 of an entry referencing a table, 20:12 of a 2M leaf,
 *     29:12 of a 1G leaf (Tables 29-1..29-7) -> exit 49, GPA of the access;
 *   - the same bits in a not-present entry (bits 2:0 = 000b): the
 *     processor ignores bits 62:3 of such an entry (29.3.2) -> violation;
 *   - bits the tables call ignored while the feature that would use them
 *     is off (8/9 without EPT A/D, 10 without MBEC, 11, 62:52 with no
 *     guest-paging verification, paging-write, SSS or SPP, 63 without
 *     #VE; bit 7 of a PTE) -> the access completes with the right data;
 *   - write-only and write/execute at every level -> exit 49 (29.3.3.1);
 *   - execute-only at every level -> exit 49 or not according to
 *     IA32_VMX_EPT_VPID_CAP bit 0;
 *   - precedence (29.3.3): a misconfiguration below a missing permission
 *     is still a misconfiguration; a not-present entry above a
 *     misconfigured one ends the walk -> violation.
 * Every expectation is the reference model's (ept_env_expect()).
 */
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/processor.h"

#define DATA_OFFSET     0x5a8
#define CODE_OFFSET     0x1c0
#define PATTERN         0x0123456789abcdefull
#define WRITE_VALUE     0xfeedfacecafef00dull
#define VMCALL_BYTES    0xc1010fu               /* 0F 01 C1 */

enum shape { SHAPE_4K, SHAPE_2M, SHAPE_1G, SHAPE_NR };

static const struct shape_info {
	const char *name;
	uint64_t page_size;
	uint64_t cap;           /* IA32_VMX_EPT_VPID_CAP bit the leaf needs */
	const char *cap_words;
} shapes[SHAPE_NR] = {
	[SHAPE_4K] = { "4K", PAGE_4K, 0, NULL },
	[SHAPE_2M] = { "2M", PAGE_2M, EPT_CAP_PAGE_2M,
		       "IA32_VMX_EPT_VPID_CAP bit 16 (2-MByte EPT pages) = 0" },
	[SHAPE_1G] = { "1G", PAGE_1G, EPT_CAP_PAGE_1G,
		       "IA32_VMX_EPT_VPID_CAP bit 17 (1-GByte EPT pages) = 0" },
};

/* The entries of the window's walk, grouped by the shape that has them. */
enum entry_form { FORM_PML4E, FORM_TABLE, FORM_PTE, FORM_2M, FORM_1G };

static const struct entry_kind {
	const char *id;
	const char *words;
	enum shape shape;
	enum ept_level level;
	enum entry_form form;
} kinds[] = {
	{ "pml4e",       "PML4E",                SHAPE_4K, EPT_LEVEL_PML4E, FORM_PML4E },
	{ "pdpte.table", "PDPTE -> PD",          SHAPE_4K, EPT_LEVEL_PDPTE, FORM_TABLE },
	{ "pde.table",   "PDE -> PT",            SHAPE_4K, EPT_LEVEL_PDE,   FORM_TABLE },
	{ "pte.4k",      "4K PTE",               SHAPE_4K, EPT_LEVEL_PTE,   FORM_PTE },
	{ "pde.2m",      "2M PDE leaf",          SHAPE_2M, EPT_LEVEL_PDE,   FORM_2M },
	{ "pdpte.1g",    "1G PDPTE leaf",        SHAPE_1G, EPT_LEVEL_PDPTE, FORM_1G },
};

/* Reserved bits besides 51:MAXPHYADDR, SDM 29.3.2 Tables 29-1..29-7. */
static uint64_t form_reserved(enum entry_form f)
{
	switch (f) {
	case FORM_PML4E: return BITS(7, 3);     /* Table 29-2 */
	case FORM_TABLE: return BITS(6, 3);     /* Tables 29-4, 29-6 */
	case FORM_2M:    return BITS(20, 12);   /* Table 29-5 */
	case FORM_1G:    return BITS(29, 12);   /* Table 29-3 */
	case FORM_PTE:   return 0;              /* Table 29-7 */
	}
	return 0;
}

static const char *form_reserved_words(enum entry_form f)
{
	switch (f) {
	case FORM_PML4E: return "7:3";
	case FORM_TABLE: return "6:3";
	case FORM_2M:    return "20:12";
	case FORM_1G:    return "29:12";
	case FORM_PTE:   break;
	}
	return "-";
}

/*
 * Bits the entry formats call ignored while this test leaves the features
 * that would give them a meaning off (EPTP bit 6 = 0, no MBEC, no #VE, no
 * SPP, EPTP bit 7 = 0, no tertiary controls): 8 (A, 29.3.5), 9 (D or
 * ignored), 10 (XU, 29.3.3.2), 11, 62:52 (57/58/60/61 used only with
 * guest-paging verification / EPT paging-write / SSS / SPP), 63
 * (suppress-#VE, 26.5.7.1), and bit 7 of a PTE (Table 29-7).
 */
static uint64_t form_ignored(enum entry_form f)
{
	uint64_t bits = BITS(11, 8) | BITS(63, 52);

	if (f == FORM_PTE)
		bits |= BIT(7);
	return bits;
}

struct window {
	struct ept_env env;
	uint8_t *page;
	uint64_t hpa, gpa, gla;
};

static uint64_t op_gla(const struct window *w, enum guest_op op)
{
	return w->gla + (op == GUEST_OP_FETCH ? CODE_OFFSET : DATA_OFFSET);
}

static void fill_page(struct window *w)
{
	*(volatile uint64_t *)(w->page + DATA_OFFSET) = PATTERN;
	*(volatile uint32_t *)(w->page + CODE_OFFSET) = VMCALL_BYTES;
}

/* An access the model says completes must also have done its work. */
static void check_data(struct window *w, const char *id, enum guest_op op,
		       const struct vmx_exit *e)
{
	char cid[96];

	snprintf(cid, sizeof(cid), "%s.data", id);
	switch (op) {
	case GUEST_OP_READ:
		report_expect_u64(cid, e->regs.rax, PATTERN, "the read returned the page's data");
		break;
	case GUEST_OP_WRITE:
		report_expect_u64(cid, *(volatile uint64_t *)(w->page + DATA_OFFSET), WRITE_VALUE,
				  "memory holds the written value");
		break;
	case GUEST_OP_FETCH:
		report_expect_u64(cid, e->guest_rip, op_gla(w, op),
				  "the fetched VMCALL ran at the window GLA");
		break;
	case GUEST_OP_RMW:
		report_expect_u64(cid, *(volatile uint64_t *)(w->page + DATA_OFFSET), PATTERN + 1,
				  "memory holds the sum");
		break;
	}
}

/* The model's outcome for the tables as they are, the guest's, compared. */
static void run_case(struct window *w, const char *id, const char *words, enum guest_op op)
{
	uint64_t gla = op_gla(w, op);
	struct ept_outcome o;
	struct vmx_exit e;

	fill_page(w);
	ept_env_expect(&w->env, op, gla, &o);
	e = ept_env_run(&w->env, op, gla, op == GUEST_OP_RMW ? 1 : WRITE_VALUE);
	if (expect_ept_outcome(id, words, &o, &e) && o.kind == EPT_OUTCOME_TRANSLATION)
		check_data(w, id, op, &e);
}

static uint64_t *window_entry(struct window *w, enum ept_level level)
{
	return ept_entry_must(&w->env.ept, w->gpa, level);
}

static uint64_t phys_reserved(void)
{
	return cpu_maxphyaddr() >= 52 ? 0 : BITS(51, cpu_maxphyaddr());
}

static void for_each_bit(uint64_t mask, void (*fn)(struct window *, const struct entry_kind *,
						   unsigned),
			 struct window *w, const struct entry_kind *k)
{
	for (unsigned b = 0; b < 64; b++)
		if (mask & BIT(b))
			fn(w, k, b);
}

/* Run @op with the window's entry at @k's level replaced by @value, then
 * put the entry back: every single-entry case below is one of these. */
static void run_with_entry(struct window *w, const struct entry_kind *k, uint64_t value,
			   const char *id, const char *words, enum guest_op op)
{
	uint64_t *ent = window_entry(w, k->level), saved = *ent;

	*ent = value;
	run_case(w, id, words, op);
	*ent = saved;
}

/* A reserved bit in a present entry: SDM 29.3.3.1. */
static void reserved_present(struct window *w, const struct entry_kind *k, unsigned bit)
{
	char id[64], words[128];

	snprintf(id, sizeof(id), "%s.bit%u", k->id, bit);
	snprintf(words, sizeof(words), "read, %s RWX with reserved bit %u set (%s)", k->words, bit,
		 bit >= 12 && BIT(bit) & phys_reserved() ? "51:MAXPHYADDR" : form_reserved_words(k->form));
	run_with_entry(w, k, *window_entry(w, k->level) | BIT(bit), id, words, GUEST_OP_READ);
}

/* The same bit in a not-present entry: bits 62:3 ignored (29.3.2). */
static void reserved_not_present(struct window *w, const struct entry_kind *k, unsigned bit)
{
	char id[64], words[128];

	snprintf(id, sizeof(id), "%s.np-bit%u", k->id, bit);
	snprintf(words, sizeof(words), "read, %s not present (---) with bit %u set", k->words, bit);
	run_with_entry(w, k, (*window_entry(w, k->level) & ~EPT_RWX_MASK) | BIT(bit), id, words,
		       GUEST_OP_READ);
}

/* An ignored bit: the access completes. */
static void ignored_bit(struct window *w, const struct entry_kind *k, unsigned bit)
{
	char id[64], words[128];

	snprintf(id, sizeof(id), "%s.ign-bit%u", k->id, bit);
	snprintf(words, sizeof(words), "read, %s RWX with ignored bit %u set", k->words, bit);
	run_with_entry(w, k, *window_entry(w, k->level) | BIT(bit), id, words, GUEST_OP_READ);
}

/* Permission encodings that are misconfigurations, or not, by themselves. */
static const struct perm_case {
	const char *id;
	uint64_t rwx;
} perm_cases[] = {
	{ "wo", EPT_WRITE },                    /* 010b: always exit 49 */
	{ "wx", EPT_WRITE | EPT_EXEC },         /* 110b: always exit 49 */
	{ "xo", EPT_EXEC },                     /* 100b: exit 49 unless EPT_CAP_EXEC_ONLY */
};
static const enum guest_op perm_ops[] = { GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_FETCH };

static void permissions(struct window *w, const struct entry_kind *k)
{
	uint64_t saved = *window_entry(w, k->level);

	for (unsigned i = 0; i < ARRAY_SIZE(perm_cases); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(perm_ops); j++) {
			char id[64], words[128];

			snprintf(id, sizeof(id), "%s.%s.%s", k->id, perm_cases[i].id,
				 guest_op_name(perm_ops[j]));
			snprintf(words, sizeof(words), "%s, %s %s%s", guest_op_name(perm_ops[j]),
				 k->words, ept_perm_str(perm_cases[i].rwx),
				 perm_cases[i].rwx == EPT_EXEC
					 ? (ept_cap(EPT_CAP_EXEC_ONLY) ? " (execute-only supported)"
								       : " (execute-only unsupported)")
					 : "");
			run_with_entry(w, k, (saved & ~EPT_RWX_MASK) | perm_cases[i].rwx, id, words,
				       perm_ops[j]);
		}
	}
}

/* Every case of one entry kind, or a SKIP for each when it cannot be run. */
static void kind_cases(struct window *w, const struct entry_kind *k, const char *skip_why)
{
	uint64_t rsvd = phys_reserved() | form_reserved(k->form);
	uint64_t ign = form_ignored(k->form);

	if (skip_why) {
		char id[64];
		for (unsigned b = 0; b < 64; b++) {
			if (rsvd & BIT(b)) {
				snprintf(id, sizeof(id), "%s.bit%u", k->id, b);
				report_skip(id, k->words, "%s", skip_why);
				snprintf(id, sizeof(id), "%s.np-bit%u", k->id, b);
				report_skip(id, k->words, "%s", skip_why);
			}
			if (ign & BIT(b)) {
				snprintf(id, sizeof(id), "%s.ign-bit%u", k->id, b);
				report_skip(id, k->words, "%s", skip_why);
			}
		}
		for (unsigned i = 0; i < ARRAY_SIZE(perm_cases); i++)
			for (unsigned j = 0; j < ARRAY_SIZE(perm_ops); j++) {
				snprintf(id, sizeof(id), "%s.%s.%s", k->id, perm_cases[i].id,
					 guest_op_name(perm_ops[j]));
				report_skip(id, k->words, "%s", skip_why);
			}
		return;
	}
	for_each_bit(rsvd, reserved_present, w, k);
	for_each_bit(rsvd, reserved_not_present, w, k);
	for_each_bit(ign, ignored_bit, w, k);
	permissions(w, k);
}

/*
 * Precedence, SDM 29.3.3: "An EPT violation occurs when there is no EPT
 * misconfiguration but the EPT paging-structure entries disallow an
 * access": a misconfigured entry anywhere on the walk beats a missing
 * permission anywhere.  And a not-present entry ends the walk (29.3.2), so
 * whatever is below it is never examined.  All on the 4K shape.
 */
#define RSVD_PHYS_MARK  BIT(51)   /* replaced by bit MAXPHYADDR at run time */

static const struct prec_case {
	const char *id;
	const char *words;
	enum guest_op op;
	bool needs_pml4e;
	struct prec_edit { enum ept_level level; uint64_t set, clear; } edit[2];
} prec_cases[] = {
	{ "pdpte-r.pte-wo", "write, PDPTE R-- above a write-only PTE", GUEST_OP_WRITE, false,
	  { { EPT_LEVEL_PDPTE, EPT_READ, EPT_RWX_MASK }, { EPT_LEVEL_PTE, EPT_WRITE, EPT_RWX_MASK } } },
	{ "pdpte-rw.pde-bit3", "fetch, PDPTE RW- above a PDE -> PT with reserved bit 3",
	  GUEST_OP_FETCH, false,
	  { { EPT_LEVEL_PDPTE, EPT_READ | EPT_WRITE, EPT_RWX_MASK }, { EPT_LEVEL_PDE, BIT(3), 0 } } },
	{ "pde-r.pte-mt2", "write, PDE R-- above a PTE with memory type 2", GUEST_OP_WRITE, false,
	  { { EPT_LEVEL_PDE, EPT_READ, EPT_RWX_MASK },
	    { EPT_LEVEL_PTE, EPT_MT(2), EPT_MEMTYPE_MASK } } },
	{ "pde-rw.pte-physbit", "fetch, PDE RW- above a PTE with bit MAXPHYADDR set",
	  GUEST_OP_FETCH, false,
	  { { EPT_LEVEL_PDE, EPT_READ | EPT_WRITE, EPT_RWX_MASK }, { EPT_LEVEL_PTE, RSVD_PHYS_MARK, 0 } } },
	{ "pdpte-rx.pde-wx", "write, PDPTE R-X above a write/execute PDE", GUEST_OP_WRITE, false,
	  { { EPT_LEVEL_PDPTE, EPT_READ | EPT_EXEC, EPT_RWX_MASK },
	    { EPT_LEVEL_PDE, EPT_WRITE | EPT_EXEC, EPT_RWX_MASK } } },
	{ "pml4e-r.pte-mt7", "write, PML4E R-- above a PTE with memory type 7", GUEST_OP_WRITE, true,
	  { { EPT_LEVEL_PML4E, EPT_READ, EPT_RWX_MASK },
	    { EPT_LEVEL_PTE, EPT_MT(7), EPT_MEMTYPE_MASK } } },
	{ "pml4e-x.pdpte-bit6", "read, PML4E --X above a PDPTE -> PD with reserved bit 6",
	  GUEST_OP_READ, true,
	  { { EPT_LEVEL_PML4E, EPT_EXEC, EPT_RWX_MASK }, { EPT_LEVEL_PDPTE, BIT(6), 0 } } },
	{ "pde-np.pte-wo", "read, PDE not present above a write-only PTE", GUEST_OP_READ, false,
	  { { EPT_LEVEL_PDE, 0, EPT_RWX_MASK }, { EPT_LEVEL_PTE, EPT_WRITE, EPT_RWX_MASK } } },
	{ "pdpte-np.pde-bit5", "read, PDPTE not present above a PDE -> PT with reserved bit 5",
	  GUEST_OP_READ, false,
	  { { EPT_LEVEL_PDPTE, 0, EPT_RWX_MASK }, { EPT_LEVEL_PDE, BIT(5), 0 } } },
	{ "pde-np.pte-physbit", "write, PDE not present above a PTE with bit MAXPHYADDR set",
	  GUEST_OP_WRITE, false,
	  { { EPT_LEVEL_PDE, 0, EPT_RWX_MASK }, { EPT_LEVEL_PTE, RSVD_PHYS_MARK, 0 } } },
	{ "pml4e-np.pde-wo", "fetch, PML4E not present above a write-only PDE", GUEST_OP_FETCH, true,
	  { { EPT_LEVEL_PML4E, 0, EPT_RWX_MASK }, { EPT_LEVEL_PDE, EPT_WRITE, EPT_RWX_MASK } } },
	{ "pde-bit4.pte-np", "read, PDE -> PT with reserved bit 4 above a not-present PTE",
	  GUEST_OP_READ, false,
	  { { EPT_LEVEL_PDE, BIT(4), 0 }, { EPT_LEVEL_PTE, 0, EPT_RWX_MASK } } },
	{ "pdpte-wo.pde-np", "write, write-only PDPTE above a not-present PDE", GUEST_OP_WRITE, false,
	  { { EPT_LEVEL_PDPTE, EPT_WRITE, EPT_RWX_MASK }, { EPT_LEVEL_PDE, 0, EPT_RWX_MASK } } },
};

static void precedence(struct window *w)
{
	uint64_t phys_bit = vmx_caps.maxphyaddr < 52 ? BIT(vmx_caps.maxphyaddr) : 0;

	for (unsigned i = 0; i < ARRAY_SIZE(prec_cases); i++) {
		const struct prec_case *c = &prec_cases[i];
		uint64_t *ent[2], saved[2];
		char id[64];

		snprintf(id, sizeof(id), "prec.%s", c->id);
		if (c->needs_pml4e && !w->env.window_own_pml4e) {
			report_skip(id, c->words, "MAXPHYADDR %u <= 39: the window shares its PML4E "
				    "with the guest's own memory", vmx_caps.maxphyaddr);
			continue;
		}
		if (!phys_bit && (c->edit[1].set & RSVD_PHYS_MARK)) {
			report_skip(id, c->words, "MAXPHYADDR = 52: no reserved address bit");
			continue;
		}
		for (unsigned j = 0; j < 2; j++) {
			ent[j] = window_entry(w, c->edit[j].level);
			saved[j] = *ent[j];
		}
		for (unsigned j = 0; j < 2; j++) {
			uint64_t set = c->edit[j].set;
			if (set & RSVD_PHYS_MARK)
				set = (set & ~RSVD_PHYS_MARK) | phys_bit;
			*ent[j] = (*ent[j] & ~c->edit[j].clear) | set;
		}
		run_case(w, id, c->words, c->op);
		for (unsigned j = 2; j-- > 0;)
			*ent[j] = saved[j];
	}
}

static void ept_misconfig(void)
{
	struct ept_env_config cfg = { 0 };
	struct window w;
	const char *why;

	report_prefix_push("ept.misconfig");
	if (!ept_env_init(&w.env, &cfg, &why)) {
		for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++)
			kind_cases(&w, &kinds[i], why);
		for (unsigned i = 0; i < ARRAY_SIZE(prec_cases); i++) {
			char id[64];
			snprintf(id, sizeof(id), "prec.%s", prec_cases[i].id);
			report_skip(id, prec_cases[i].words, "%s", why);
		}
		report_prefix_pop();
		return;
	}
	printf("# MAXPHYADDR %u, IA32_VMX_EPT_VPID_CAP %#lx, window GPA %#lx%s\n",
	       vmx_caps.maxphyaddr, vmx_caps.ept_vpid, w.env.window_gpa,
	       w.env.window_own_pml4e ? " (own PML4E)" : "");

	w.page = alloc_page();
	w.hpa = (uintptr_t)w.page;
	w.gpa = ept_env_gpa(&w.env, w.hpa);

	/* From the smallest leaf to the largest: each mapping replaces the
	 * entry the previous one hung its table from. */
	for (unsigned s = 0; s < SHAPE_NR; s++) {
		const struct shape_info *sh = &shapes[s];
		bool supported = !sh->cap || ept_cap(sh->cap);

		if (supported)
			w.gla = ept_env_map(&w.env, w.hpa, sh->page_size, EPT_RWX_MASK | EPT_WB,
					    PAGE_4K, PTE_WRITE);
		for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++) {
			const struct entry_kind *k = &kinds[i];
			const char *skip = NULL;
			static char why_pml4e[96];

			if (k->shape != s)
				continue;
			if (!supported)
				skip = sh->cap_words;
			else if (k->level == EPT_LEVEL_PML4E && !w.env.window_own_pml4e) {
				snprintf(why_pml4e, sizeof(why_pml4e),
					 "MAXPHYADDR %u <= 39: the window shares its PML4E",
					 vmx_caps.maxphyaddr);
				skip = why_pml4e;
			}
			kind_cases(&w, k, skip);
		}
		if (s == SHAPE_4K)
			precedence(&w);
	}

	ept_env_exit(&w.env);
	report_prefix_pop();
}

TEST("ept_misconfig", ept_misconfig);
