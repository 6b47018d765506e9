/*
 * ept_misconfig: EPT misconfigurations (SDM 29.3.3.1) against EPT
 * violations (29.3.3.2) and plain translations, entry by entry.
 *
 * The test window of ept_env is mapped three ways, each in an environment
 * of its own -- 4K leaf (PML4E, PDPTE and PDE referencing tables, PTE), 2M
 * PDE leaf, 1G PDPTE leaf -- and one entry of the window's walk is edited
 * per case:
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
 * Every case is one ept_case(): the whole outcome the reference model
 * gives for the tables as the case left them, and the data, memory and
 * A/D flags of the window's walks.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"
#include "x86/processor.h"

enum shape { SHAPE_4K, SHAPE_2M, SHAPE_1G, SHAPE_NR };

static const uint64_t shape_size[SHAPE_NR] = { PAGE_4K, PAGE_2M, PAGE_1G };

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

static uint64_t phys_reserved(void)
{
	return cpu_maxphyaddr() >= 52 ? 0 : BITS(51, cpu_maxphyaddr());
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

/* One case: what it edits, decoded by misconfig_case(). */
enum case_type { T_RESERVED, T_NOT_PRESENT, T_IGNORED, T_PERM, T_PREC };

struct mcase {
	uint8_t type;		/* enum case_type */
	uint8_t kind;		/* kinds[] (T_PREC: prec_cases[]) */
	uint8_t arg;		/* bit number, or perm_cases[] index */
	uint8_t op;		/* perm_ops[] index */
};

#define MAX_CASES 512

/* One shape: its own environment, window page and case list. */
struct misconfig {
	struct ept_env env;
	enum shape shape;
	const char *why;	/* every case skips */
	uint8_t *host;		/* the bytes every access targets */
	uint64_t gla, gpa;
	uint64_t canon[EPT_LEVEL_PML4E + 1];	/* the walk as mapped, by level */
	unsigned n;
	struct mcase c[MAX_CASES];
};

static void add_case(struct misconfig *m, enum case_type type, unsigned kind, unsigned arg,
		     unsigned op)
{
	assert(m->n < MAX_CASES);
	m->c[m->n++] = (struct mcase){ type, kind, arg, op };
}

static void build_cases(struct misconfig *m)
{
	m->n = 0;
	for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
		uint64_t rsvd = phys_reserved() | form_reserved(kinds[k].form);
		uint64_t ign = form_ignored(kinds[k].form);

		if (kinds[k].shape != m->shape)
			continue;
		for (enum case_type t = T_RESERVED; t <= T_IGNORED; t++)
			for (unsigned b = 0; b < 64; b++)
				if ((t == T_IGNORED ? ign : rsvd) & BIT(b))
					add_case(m, t, k, b, 0);
		for (unsigned i = 0; i < ARRAY_SIZE(perm_cases); i++)
			for (unsigned j = 0; j < ARRAY_SIZE(perm_ops); j++)
				add_case(m, T_PERM, k, i, j);
	}
	if (m->shape == SHAPE_4K)
		for (unsigned i = 0; i < ARRAY_SIZE(prec_cases); i++)
			add_case(m, T_PREC, i, 0, 0);
}

/* The id and words of a case, its access, and the entries it edits. */
struct edit {
	char id[64], words[128];
	enum guest_op op;
	unsigned n;
	struct prec_edit e[2];
	const char *skip;
};

/* The single-bit cases: bits 62:3 of a not-present entry are ignored
 * (29.3.2), so a reserved bit there is no misconfiguration. */
static const struct bit_case {
	const char *id, *words;
	uint64_t clear;
} bit_cases[] = {
	[T_RESERVED]    = { "",     "RWX with reserved",          0 },
	[T_NOT_PRESENT] = { "np-",  "not present (---) with",     EPT_RWX_MASK },
	[T_IGNORED]     = { "ign-", "RWX with ignored",           0 },
};

static void describe(const struct misconfig *m, const struct mcase *c, struct edit *ed)
{
	const struct entry_kind *k = &kinds[c->kind];
	unsigned b = c->arg;

	ed->op = GUEST_OP_READ;
	ed->n = 1;
	ed->e[0].level = k->level;
	ed->skip = NULL;
	switch (c->type) {
	case T_RESERVED:
	case T_NOT_PRESENT:
	case T_IGNORED: {
		const struct bit_case *bc = &bit_cases[c->type];

		snprintf(ed->id, sizeof(ed->id), "%s.%sbit%u", k->id, bc->id, b);
		snprintf(ed->words, sizeof(ed->words), "read, %s %s bit %u set", k->words, bc->words, b);
		if (c->type == T_RESERVED)
			snprintf(ed->words + strlen(ed->words), sizeof(ed->words) - strlen(ed->words),
				 " (%s)", BIT(b) & phys_reserved() ? "51:MAXPHYADDR"
								   : form_reserved_words(k->form));
		ed->e[0].set = BIT(b);
		ed->e[0].clear = bc->clear;
		break;
	}
	case T_PERM: {
		const struct perm_case *p = &perm_cases[b];

		ed->op = perm_ops[c->op];
		snprintf(ed->id, sizeof(ed->id), "%s.%s.%s", k->id, p->id, guest_op_name(ed->op));
		snprintf(ed->words, sizeof(ed->words), "%s, %s %s%s", guest_op_name(ed->op),
			 k->words, ept_perm_str(p->rwx),
			 p->rwx != EPT_EXEC ? "" : ept_cap(EPT_CAP_EXEC_ONLY)
				? " (execute-only supported)" : " (execute-only unsupported)");
		ed->e[0].set = p->rwx;
		ed->e[0].clear = EPT_RWX_MASK;
		break;
	}
	case T_PREC: {
		const struct prec_case *p = &prec_cases[c->kind];
		uint64_t phys_bit = cpu_maxphyaddr() < 52 ? BIT(cpu_maxphyaddr()) : 0;

		ed->op = p->op;
		snprintf(ed->id, sizeof(ed->id), "prec.%s", p->id);
		snprintf(ed->words, sizeof(ed->words), "%s", p->words);
		ed->n = 2;
		for (unsigned j = 0; j < 2; j++) {
			ed->e[j] = p->edit[j];
			if (ed->e[j].set & RSVD_PHYS_MARK)
				ed->e[j].set = (ed->e[j].set & ~RSVD_PHYS_MARK) | phys_bit;
		}
		if (!phys_bit && (p->edit[1].set & RSVD_PHYS_MARK))
			ed->skip = "MAXPHYADDR = 52: no reserved address bit";
		break;
	}
	}
	/* Without its own PML4E the window shares one with the guest's code
	 * and tables (ept_env.h). */
	for (unsigned j = 0; j < ed->n; j++)
		if (!m->why && ed->e[j].level == EPT_LEVEL_PML4E && !m->env.window_own_pml4e)
			ed->skip = "MAXPHYADDR <= 39: the window shares its PML4E with the guest's own memory";
}

static void misconfig_case(void *ctx, unsigned i)
{
	struct misconfig *m = ctx;
	enum ept_level leaf = ept_leaf_level(shape_size[m->shape]);
	struct ept_case c = { .gla = m->gla, .host = (volatile uint64_t *)m->host };
	struct edit ed;

	describe(m, &m->c[i], &ed);
	if (m->why || ed.skip) {
		ept_case_skip(ed.id, ed.words, m->why ? m->why : ed.skip);
		return;
	}
	/* The whole walk as mapped, A/D flags cleared, then the edit (after
	 * the clearing: ign-bit8 and ign-bit9 set those bits themselves). */
	for (enum ept_level l = EPT_LEVEL_PML4E; l >= leaf; l--)
		*ept_entry_must(&m->env.ept, m->gpa, l) = m->canon[l];
	ept_case_begin(&m->env, m->gla);
	for (unsigned j = 0; j < ed.n; j++)
		ept_set_bits(&m->env.ept, m->gpa, ed.e[j].level, ed.e[j].set, ed.e[j].clear);
	c.op = ed.op;
	ept_case(&m->env, ed.id, ed.words, &c);
}

static void shape_run(struct misconfig *m, enum shape s)
{
	enum ept_level leaf = ept_leaf_level(shape_size[s]);
	bool have_env;

	memset(m, 0, sizeof(*m));
	m->shape = s;
	have_env = matrix_env_init(&m->env, false, &m->why);
	if (have_env)
		m->why = matrix_ept_size_missing(shape_size[s]);
	if (have_env && !m->why) {
		m->host = matrix_map_page(&m->env, shape_size[s], &m->gla, &m->gpa);
		for (enum ept_level l = EPT_LEVEL_PML4E; l >= leaf; l--)
			m->canon[l] = *ept_entry_must(&m->env.ept, m->gpa, l);
	}
	build_cases(m);
	cases_run(m->n, misconfig_case, m);
	if (have_env)
		ept_env_exit(&m->env);
}

static void ept_misconfig(void)
{
	static struct misconfig m;

	report_prefix_push("ept.misconfig");
	for (enum shape s = 0; s < SHAPE_NR; s++)
		shape_run(&m, s);
	report_prefix_pop();
}

TEST("ept_misconfig", ept_misconfig);
