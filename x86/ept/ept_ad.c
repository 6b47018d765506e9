/*
 * ept_ad: EPT accessed and dirty flags (EPTP bit 6 = 1) on every EPT entry
 * of the two-dimensional walk, and the walk itself made visible.
 *
 * The window is laid out with lib/x86/ept_layout.h: each guest
 * paging-structure page of the window's walk, and the final page, lies in
 * a 1-GiB GPA region of its own, so each memory reference of the 2-D walk
 * has EPT entries of its own (PDPTE, PDE, PTE; the window's PML4E is
 * shared by all) and their accessed flags say which references happened.
 * Each case checks, besides the whole outcome of the access (ept_case():
 * exit, data, memory, the final page's walk and the guest A/D flags), one
 * row per reference: the A/D flags of every observed EPT entry of that
 * reference's walk and of the guest entry it reads (<id>.ref.<table>),
 * against the reference model (ad_model_ept(), ad_model_guest(): SDM Vol.
 * 3C 29.3.5, Vol. 3A 4.8).  With A/D on, guest paging-structure accesses
 * are writes for EPT (29.3.5), so their EPT leaves get D as well.
 *
 * Two kinds of test, one per guest paging mode (long4, long5 where
 * CR4.LA57 is supported, pae, pg32, nopg = CR0.PG 0), each over a 4-level
 * EPT and, where IA32_VMX_EPT_VPID_CAP bit 7 allows, a 5-level one:
 *
 *   ept_ad_<mode>     every guest page size x every EPT leaf size (4K,
 *                     2M, 1G: of every reference's leaf) x read, write,
 *                     locked RMW, fetch x
 *                       clear   every flag clear before the access;
 *                       preset  every flag already set (they stay set);
 *                       gad-set the guest's flags already set, EPT's
 *                               clear: no guest A/D write, yet the
 *                               tables' EPT leaves get D (the walk's
 *                               reads are writes for EPT);
 *                       sticky  an access, software clears every flag,
 *                               then INVEPT and the access again: the
 *                               flags are set again;
 *                       np/ro/mc the final page's EPT leaf not present,
 *                               read-only, write-only (misconfiguration):
 *                               what must, may and must not be set after
 *                               an access that stopped.
 *   ept_trace_<mode>  4K guest pages, EPT leaves of each size (4K: the
 *                     most references): the walk stopped at each
 *                     reference k by each of its EPT entries not
 *                     present or write-only (misconfigured), and by its
 *                     leaf read-only: the exit names the GPA of
 *                     reference k, a violation's qualification bits 7 and 8
 *                     say paging-structure access (8 = 0) or final access
 *                     (8 = 1) (Table 28-7), and no reference after k left
 *                     a trace.  verbose=1 prints each case's walk as the
 *                     table (reference x EPT level, GPA, HPA, A/D).
 * Every case also checks an EPT subtree no walk uses (<id>.ref.unused):
 * its entries' flags stay clear.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_layout.h"
#include "x86/ept_matrix.h"
#include "x86/processor.h"

#define GIB (1ull << 30)

static const struct size {
	const char *name;
	uint64_t size;
} ept_sizes[] = {
	{ "e4k", PAGE_4K }, { "e2m", PAGE_2M }, { "e1g", PAGE_1G },
};

#define MAX_GSIZES 3
static const struct mode {
	const char *name;
	struct ept_env_config cfg;
	struct size gsizes[MAX_GSIZES];
	unsigned nr_gsizes;
} modes[] = {
	{ "long4", { .mode = GUEST_PAGING_4LEVEL },
	  { { "g4k", PAGE_4K }, { "g2m", PAGE_2M }, { "g1g", PAGE_1G } }, 3 },
	{ "long5", { .mode = GUEST_PAGING_5LEVEL },
	  { { "g4k", PAGE_4K }, { "g2m", PAGE_2M }, { "g1g", PAGE_1G } }, 3 },
	{ "pae",   { .mode = GUEST_PAGING_PAE },
	  { { "g4k", PAGE_4K }, { "g2m", PAGE_2M } }, 2 },
	{ "pg32",  { .mode = GUEST_PAGING_32BIT },
	  { { "g4k", PAGE_4K }, { "g4m", 2 * PAGE_2M } }, 2 },
	{ "nopg",  { .paging_off = true },
	  { { "flat", 0 } }, 1 },
};

enum variant { V_CLEAR, V_PRESET, V_GAD_SET, V_STICKY, V_NP, V_RO, V_MC, NR_VARIANTS };
static const char *const variant_names[NR_VARIANTS] = {
	"clear", "preset", "gad-set", "sticky", "leaf-np", "leaf-ro", "leaf-mc",
};
static const char *const variant_words[NR_VARIANTS] = {
	"flags clear", "EPT and guest flags already set",
	"guest flags already set, EPT flags clear (no guest A/D write: the walk's reads are the writes)",
	"flags cleared by software after an access",
	"final EPT leaf not present", "final EPT leaf read-only",
	"final EPT leaf write-only (misconfigured)",
};

/* Not page-aligned: the GPA and GLA fields must be exact. */
#define OFFSET 0x5a8

struct run {
	struct ept_env env;
	const struct mode *m;
	unsigned ept_levels;
	const char *why;		/* every case skips */
	const char *gsize_why[MAX_GSIZES];
	struct ept_layout lay[MAX_GSIZES];
	/* trace: the stop points */
	unsigned nr_stops;
	struct stop {
		uint8_t size;		/* ept_sizes[] */
		uint8_t ref, ept;	/* reference, index of its observed EPT
					   entry (0xff: none) */
		uint64_t rwx;		/* what that entry gets */
	} stmatrix_ops[3 * 72];
	struct outcome want[LAYOUT_MAX_REFS], got[LAYOUT_MAX_REFS];
};

static const char *mode_why(const struct mode *m)
{
	if (m->cfg.mode == GUEST_PAGING_5LEVEL) {
		if (!(cpuid_count(7, 0).c & CPUID_7_ECX_LA57))
			return "CPUID.(EAX=07H,ECX=0):ECX[16] (LA57, 5-level paging) = 0";
		if (!(vmx_caps.cr4_fixed1 & X86_CR4_LA57))
			return "IA32_VMX_CR4_FIXED1 bit 12 (CR4.LA57 allowed in VMX operation) = 0";
	}
	return NULL;
}

static bool run_setup(struct run *s, const struct mode *m, unsigned ept_levels)
{
	struct ept_env_config cfg = m->cfg;
	/* the large pages first: their blocks lie apart from the 4K page's */
	uint64_t big = (uintptr_t)alloc_aligned(4 * PAGE_2M, 4 * PAGE_2M);
	uint64_t small = (uintptr_t)alloc_page();

	memset(s, 0, sizeof(*s));
	s->m = m;
	s->ept_levels = ept_levels;
	cfg.ad = true;
	cfg.ept_levels = ept_levels;
	s->why = mode_why(m);
	if (s->why || !ept_env_init(&s->env, &cfg, &s->why))
		return false;
	for (unsigned g = 0; g < m->nr_gsizes; g++) {
		uint64_t size = m->gsizes[g].size;

		if (size == PAGE_1G && !(cpuid(0x80000001).d & CPUID_80000001_EDX_1G)) {
			s->gsize_why[g] = "CPUID.80000001H:EDX[26] (1-GByte pages) = 0";
			continue;
		}
		ept_layout_init(&s->env, &s->lay[g], size > PAGE_4K ? big : small, size, OFFSET,
				&s->gsize_why[g]);
	}
	return true;
}

static const char *size_words(uint64_t size)
{
	return size == PAGE_4K ? "4K" : size == PAGE_2M ? "2M" : size == 2 * PAGE_2M ? "4M" :
	       size == PAGE_1G ? "1G" : "none";
}

static void words_of(char *buf, size_t len, const struct run *s, uint64_t guest_page_size,
		     uint64_t ept_page_size, enum guest_op op, const char *what)
{
	snprintf(buf, len, "%s, %s guest, %u-level EPT, guest page %s, EPT leaves %s: %s",
		 guest_op_name(op), s->m->name, s->ept_levels, size_words(guest_page_size),
		 size_words(ept_page_size), what);
}

/*
 * The flow of every case once its layout is mapped and restricted: the
 * model's outcome, every reference's row of expected flags, the run, and
 * the checks: <id> (+ .data, .ad) from ept_case_check(), <id>.ref.<table>.
 */
static void run_case(struct run *s, struct ept_layout *l, const char *id, const char *words,
		     enum guest_op op)
{
	struct ept_case c = {
		.op = op, .gla = l->gla, .host = l->host,
		/* a restricted root table stops the guest's own code fetch */
		.expect_run = true,
	};
	ept_case_expect(&s->env, &c);
	if (c.model.kind == EPT_OUTCOME_UNMODELED || c.model.order_ambiguous) {
		ept_case_skip(id, words, c.model.order_ambiguous ?
			  "the SDM allows more than one outcome (guest A/D update order)" :
			  "the reference model does not predict this case");
		return;
	}
	for (unsigned k = 0; k <= l->nr_refs; k++)
		ept_layout_want_ref(&s->env, l, k, &c, &s->want[k]);
	ept_case_run(&s->env, &c);
	ept_case_check(id, words, &c);
	for (unsigned k = 0; k <= l->nr_refs; k++) {
		ept_layout_got_ref(&s->env, l, k, &s->got[k]);
		ept_layout_check_ref(&s->env, l, k, id, &s->want[k], &s->got[k]);
	}
	if (report_verbose())
		ept_layout_print(&s->env, l, &c);
}

/* ---- ept_ad_<mode> ---- */

#define AD_CASES_PER_GSIZE (ARRAY_SIZE(ept_sizes) * ARRAY_SIZE(matrix_ops) * NR_VARIANTS)

static void ad_case(void *ctx, unsigned i)
{
	struct run *s = ctx;
	unsigned g = i / AD_CASES_PER_GSIZE;
	const struct size *es = &ept_sizes[(i / (ARRAY_SIZE(matrix_ops) * NR_VARIANTS)) % ARRAY_SIZE(ept_sizes)];
	enum guest_op op = matrix_ops[(i / NR_VARIANTS) % ARRAY_SIZE(matrix_ops)];
	enum variant v = (enum variant)(i % NR_VARIANTS);
	struct ept_layout *l = &s->lay[g];
	const char *why = s->why ? s->why : s->gsize_why[g] ? s->gsize_why[g] : matrix_ept_size_missing(es->size);
	char id[96], words[200];

	snprintf(id, sizeof(id), "%s.%s.%s.%s", s->m->gsizes[g].name, es->name, guest_op_name(op),
		 variant_names[v]);
	words_of(words, sizeof(words), s, s->m->gsizes[g].size, es->size, op, variant_words[v]);
	if (why) {
		ept_case_skip(id, words, why);
		return;
	}
	ept_layout_map(&s->env, l, es->size, op);
	switch (v) {
	case V_PRESET:
	case V_GAD_SET:
		ept_layout_set_ad(&s->env, l, v == V_PRESET, true, true);
		break;
	case V_STICKY:
		/* the first access sets flags; software clears them all */
		ept_env_run(&s->env, op, l->gla, op == GUEST_OP_RMW ? CASE_RMW_ADDEND : CASE_WRITE_VALUE);
		ept_layout_set_ad(&s->env, l, true, true, false);
		break;
	case V_NP:
	case V_RO:
	case V_MC: {
		const struct ept_layout_ref *r = &l->ref[l->nr_refs - 1];
		volatile uint64_t *e = (volatile uint64_t *)(uintptr_t)r->ept_hpa[r->nr_ept - 1];
		static const uint64_t rwx[NR_VARIANTS] = {
			[V_NP] = 0, [V_RO] = EPT_READ, [V_MC] = EPT_WRITE,
		};

		*e = (*e & ~EPT_RWX_MASK) | rwx[v];
		break;
	}
	default:
		break;
	}
	run_case(s, l, id, words, op);
}

/* ---- ept_trace_<mode> ---- */

/* Every reference stopped by each of its own EPT entries not present and
 * write-only (a misconfiguration: SDM 29.3.3.1) (the shared window PML4E:
 * at the first reference only, which it stops), and by its leaf
 * read-only; first: nothing stopped.  Per EPT leaf size. */
static void trace_stops(struct run *s, struct ept_layout *l)
{
	s->nr_stops = 0;
	for (unsigned z = 0; z < ARRAY_SIZE(ept_sizes); z++) {
		if (matrix_ept_size_missing(ept_sizes[z].size))
			continue;
		ept_layout_map(&s->env, l, ept_sizes[z].size, GUEST_OP_READ);
		s->stmatrix_ops[s->nr_stops++] = (struct stop){ (uint8_t)z, 0, 0xff, 0 };
		for (unsigned k = 0; k < l->nr_refs; k++) {
			const struct ept_layout_ref *r = &l->ref[k];

			for (unsigned j = 0; j < r->nr_ept; j++) {
				if (k > 0 && r->ept_level[j] > EPT_LEVEL_PDPTE)
					continue;
				s->stmatrix_ops[s->nr_stops++] =
					(struct stop){ (uint8_t)z, (uint8_t)k, (uint8_t)j, 0 };
				s->stmatrix_ops[s->nr_stops++] =
					(struct stop){ (uint8_t)z, (uint8_t)k, (uint8_t)j, EPT_WRITE };
			}
			s->stmatrix_ops[s->nr_stops++] =
				(struct stop){ (uint8_t)z, (uint8_t)k, (uint8_t)(r->nr_ept - 1), EPT_READ };
		}
	}
}

static const char *stop_kind(const struct stop *p, bool words)
{
	if (p->rwx == EPT_READ)
		return words ? "read-only" : "ro";
	if (p->rwx == EPT_WRITE)
		return words ? "write-only (misconfigured)" : "mc";
	return words ? "not present" : "np";
}

static void trace_case(void *ctx, unsigned i)
{
	struct run *s = ctx;
	unsigned st = i / ARRAY_SIZE(matrix_ops);
	enum guest_op op = matrix_ops[i % ARRAY_SIZE(matrix_ops)];
	struct ept_layout *l = &s->lay[0];
	char id[96], words[200], what[96];
	const struct stop *p = &s->stmatrix_ops[st];
	const struct size *es = &ept_sizes[p->size];

	if (s->why) {
		snprintf(id, sizeof(id), "all.%s", guest_op_name(op));
		report_skip(id, NULL, "%s", s->why);
		return;
	}
	ept_layout_map(&s->env, l, es->size, op);
	if (p->ept == 0xff) {
		snprintf(id, sizeof(id), "%s.complete.%s", es->name, guest_op_name(op));
		snprintf(what, sizeof(what), "the whole walk");
	} else {
		const struct ept_layout_ref *r = &l->ref[p->ref];
		volatile uint64_t *e = (volatile uint64_t *)(uintptr_t)r->ept_hpa[p->ept];

		snprintf(id, sizeof(id), "%s.%s.%s-%s.%s", es->name,
			 ept_layout_ref_name(&s->env, l, p->ref), matrix_level_id(r->ept_level[p->ept]),
			 stop_kind(p, false), guest_op_name(op));
		snprintf(what, sizeof(what), "the %s reference's EPT %s %s",
			 ept_layout_ref_name(&s->env, l, p->ref), matrix_level_id(r->ept_level[p->ept]),
			 stop_kind(p, true));
		*e = (*e & ~EPT_RWX_MASK) | p->rwx;
	}
	words_of(words, sizeof(words), s, s->m->gsizes[0].size, es->size, op, what);
	run_case(s, l, id, words, op);
}

static const struct mode *mode_named(const char *name)
{
	for (unsigned m = 0; m < ARRAY_SIZE(modes); m++)
		if (!strcmp(modes[m].name, name))
			return &modes[m];
	test_abort();
}

static void family(const char *kind, const char *mode_name)
{
	static struct run s;
	const struct mode *m = mode_named(mode_name);

	for (unsigned levels = 4; levels <= 5; levels++) {
		bool have_env;

		report_prefix_pushf("ept.%s.%s-e%u", kind, m->name, levels);
		have_env = run_setup(&s, m, levels);
		if (have_env && levels == 5 && !ept_cap(EPT_CAP_WALK_LENGTH_5))
			s.why = "IA32_VMX_EPT_VPID_CAP bit 7 (5-level walk) = 0";
		if (!strcmp(kind, "ad")) {
			cases_run(m->nr_gsizes * AD_CASES_PER_GSIZE, ad_case, &s);
		} else {
			if (!s.why && !s.gsize_why[0])
				trace_stops(&s, &s.lay[0]);
			else if (!s.why)
				s.why = s.gsize_why[0];
			/* skipped: one line per access kind */
			cases_run((s.why ? 1 : s.nr_stops) * ARRAY_SIZE(matrix_ops), trace_case, &s);
		}
		if (have_env)
			ept_env_exit(&s.env);
		report_prefix_pop();
	}
}

#define FAMILY(kind, mode)					\
	static void ept_##kind##_##mode(void) { family(#kind, #mode); }	\
	TEST("ept_" #kind "_" #mode, ept_##kind##_##mode)

FAMILY(ad, long4);
FAMILY(ad, long5);
FAMILY(ad, pae);
FAMILY(ad, pg32);
FAMILY(ad, nopg);
FAMILY(trace, long4);
FAMILY(trace, long5);
FAMILY(trace, pae);
FAMILY(trace, pg32);
FAMILY(trace, nopg);
