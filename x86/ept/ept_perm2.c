/*
 * ept_perm2: EPT restrictions at two levels of one walk at once; two
 * tests of one family: ept_perm2 (4K EPT leaf) and ept_perm2_large (2M and
 * 1G leaves, each skipped naming IA32_VMX_EPT_VPID_CAP bit 16/17 when the
 * processor has none).  For every pair of levels of the walk, a set of
 * permission pairs chosen so that the AND over the walk differs from
 * either entry alone, and each access kind.  The SDM rules (through the
 * reference model):
 *   - an access needs its permission in every EPT entry used to translate
 *     the GPA (SDM 29.3.3.2), so the lower entry cannot grant what the
 *     upper one withholds, nor the other way round;
 *   - qualification bits 3-5 are "the logical-AND of bit 0/1/2 in the EPT
 *     paging-structure entries used to translate the guest-physical
 *     address of the access" (SDM 28.2.1, Table 28-7), up to a not-present
 *     entry, which ends the walk (29.3.2);
 *   - a misconfiguration anywhere in the walk wins over a missing
 *     permission elsewhere (SDM 29.3.3: "An EPT violation occurs when there
 *     is no EPT misconfiguration but the EPT paging-structure entries
 *     disallow an access").
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ept_matrix.h"

#define R EPT_READ
#define W EPT_WRITE
#define X EPT_EXEC

/* (upper, lower) R/W/X, and why the pair discriminates. */
static const struct perm_pair {
	uint64_t upper, lower;
} pairs[] = {
	{ R | X, R | W },	/* AND R--: write needs upper W, fetch lower X */
	{ R | W, R | X },	/* AND R--, the mirror image */
	{ R,     R | W | X },	/* only the upper entry restricts */
	{ R | W | X, R },	/* only the lower entry restricts */
	{ X,     R | W | X },	/* execute-only above (A.10 bit 0) */
	{ R | W | X, X },	/* execute-only below */
	{ R | W, X },		/* both present, AND --- */
	{ X,     R | W },	/* the mirror image, AND --- */
	{ 0,     R | W | X },	/* upper not present: walk ends there */
	{ R | W | X, 0 },	/* lower not present */
	{ W,     R },		/* upper write-only: misconfiguration (29.3.3.1) */
	{ R,     W },		/* lower write-only: misconfiguration wins over upper's missing W */
	{ R | X, W | X },	/* lower -WX: misconfiguration, although X is allowed above */
};

struct perm2 {
	struct ept_env env;
	uint64_t leaf_size, gla, gpa;
	enum ept_level leaf;
	uint8_t *target;
	const char *why;		/* every case skips */
	unsigned nr_levels;
	struct { enum ept_level upper, lower; } levels[6];
};

/* Case i: level pair, permission pair, access kind. */
static void perm2_case(void *ctx, unsigned i)
{
	struct perm2 *p = ctx;
	unsigned nops = ARRAY_SIZE(matrix_ops), npairs = ARRAY_SIZE(pairs);
	enum ept_level upper = p->levels[i / (npairs * nops)].upper;
	enum ept_level lower = p->levels[i / (npairs * nops)].lower;
	const struct perm_pair *pp = &pairs[(i / nops) % npairs];
	enum guest_op op = matrix_ops[i % nops];
	const char *skip = p->why;
	char id[80], words[112];

	snprintf(id, sizeof(id), "%s.%s.%s.%s.%s.%s",
		 matrix_level_id(upper), matrix_perm_id(pp->upper),
		 matrix_level_id(lower), matrix_perm_id(pp->lower),
		 matrix_size_id(p->leaf_size), guest_op_name(op));
	snprintf(words, sizeof(words), "%s, %s %s and %s %s (others RWX), %s leaf",
		 guest_op_name(op), matrix_level_name(upper), ept_perm_str(pp->upper),
		 matrix_level_name(lower), ept_perm_str(pp->lower), matrix_size_name(p->leaf_size));
	/* Without its own PML4E the window shares one with the guest's code
	 * and tables (ept_env.h). */
	if (!skip && upper == EPT_LEVEL_PML4E && !p->env.window_own_pml4e)
		skip = "MAXPHYADDR <= 39: the window has no EPT PML4E of its own";
	if (skip) {
		ept_case_skip(id, words, skip);
		return;
	}
	for (enum ept_level l = EPT_LEVEL_PML4E; l >= p->leaf; l--)
		ept_set_perms(&p->env.ept, p->gpa, l,
			      l == upper ? pp->upper : l == lower ? pp->lower : EPT_RWX_MASK);
	matrix_access_case(&p->env, id, words, op, p->gla, p->target, NULL);
}

static void perm2_leaf(uint64_t leaf_size)
{
	static struct perm2 p;
	bool have_env;

	memset(&p, 0, sizeof(p));
	p.leaf_size = leaf_size;
	p.leaf = ept_leaf_level(leaf_size);
	for (enum ept_level upper = EPT_LEVEL_PML4E; upper > p.leaf; upper--)
		for (enum ept_level lower = upper - 1; lower >= p.leaf; lower--) {
			p.levels[p.nr_levels].upper = upper;
			p.levels[p.nr_levels++].lower = lower;
		}
	have_env = matrix_env_init(&p.env, false, &p.why);
	if (have_env)
		p.why = matrix_ept_size_missing(leaf_size);
	if (have_env && !p.why)
		p.target = matrix_map_page(&p.env, leaf_size, &p.gla, &p.gpa);
	cases_run(p.nr_levels * ARRAY_SIZE(pairs) * ARRAY_SIZE(matrix_ops), perm2_case, &p);
	if (have_env)
		ept_env_exit(&p.env);
}

static void perm2_family(const uint64_t *sizes, unsigned n)
{
	report_prefix_push("ept.perm2");
	for (unsigned i = 0; i < n; i++)
		perm2_leaf(sizes[i]);
	report_prefix_pop();
}

static const uint64_t size_4k[] = { PAGE_4K };
static const uint64_t size_large[] = { PAGE_2M, PAGE_1G };

static void ept_perm2(void) { perm2_family(size_4k, 1); }
static void ept_perm2_large(void) { perm2_family(size_large, 2); }

TEST("ept_perm2", ept_perm2);
TEST("ept_perm2_large", ept_perm2_large);
