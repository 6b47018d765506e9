/*
 * ept_perm2: EPT restrictions at two levels of one walk at once.  For
 * every pair of levels of the walk to a 4K EPT leaf (2M and 1G leaves:
 * ept_perm2_large.c), a set of
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

#ifndef EPT_PERM2_LARGE
/* This kernel: the 4K leaf; ept_perm2_large.c: the 2M and 1G leaves. */
static const uint64_t leaf_sizes[] = { PAGE_4K };
#define EPT_PERM2_NAME "ept_perm2"
#endif

static void perm2_leaf(uint64_t leaf_size)
{
	enum ept_level leaf = ept_leaf_level(leaf_size);
	const char *why = NULL;
	struct ept_env env;
	bool have_env = matrix_env_init(&env, false, &why);
	uint8_t *target = NULL;
	uint64_t gla = 0, gpa = 0;

	if (have_env && (why = matrix_ept_size_missing(leaf_size))) {
		ept_env_exit(&env);
		have_env = false;
	}
	if (have_env)
		target = matrix_map_page(&env, leaf_size, &gla, &gpa);

	for (enum ept_level upper = EPT_LEVEL_PML4E; upper > leaf; upper--) {
		for (enum ept_level lower = upper - 1; lower >= leaf; lower--) {
			const char *skip = have_env ? NULL : why;

			/* Without its own PML4E the window shares one with the
			 * guest's code and tables (ept_env.h). */
			if (!skip && upper == EPT_LEVEL_PML4E && !env.window_own_pml4e)
				skip = "MAXPHYADDR <= 39: the window has no EPT PML4E of its own";
			for (unsigned p = 0; p < ARRAY_SIZE(pairs); p++) {
				if (!skip) {
					ept_set_perms(&env.ept, gpa, upper, pairs[p].upper);
					ept_set_perms(&env.ept, gpa, lower, pairs[p].lower);
				}
				for (unsigned i = 0; i < ARRAY_SIZE(matrix_ops); i++) {
					enum guest_op op = matrix_ops[i];
					char id[80], words[112];

					snprintf(id, sizeof(id), "%s.%s.%s.%s.%s.%s",
						 matrix_level_id(upper), matrix_perm_id(pairs[p].upper),
						 matrix_level_id(lower), matrix_perm_id(pairs[p].lower),
						 matrix_size_id(leaf_size), guest_op_name(op));
					snprintf(words, sizeof(words), "%s, %s %s and %s %s (others RWX), %s leaf",
						 guest_op_name(op), matrix_level_name(upper),
						 ept_perm_str(pairs[p].upper), matrix_level_name(lower),
						 ept_perm_str(pairs[p].lower), matrix_size_name(leaf_size));
					if (skip)
						matrix_skip_case(id, words, skip);
					else
						matrix_access_case(&env, id, words, op, gla, target, NULL);
				}
			}
			if (!skip) {
				ept_set_perms(&env.ept, gpa, upper, EPT_RWX_MASK);
				ept_set_perms(&env.ept, gpa, lower, EPT_RWX_MASK);
			}
		}
	}
	if (have_env)
		ept_env_exit(&env);
}

static void ept_perm2(void)
{
	report_prefix_push("ept.perm2");
	for (unsigned i = 0; i < ARRAY_SIZE(leaf_sizes); i++)
		perm2_leaf(leaf_sizes[i]);
	report_prefix_pop();
}

TEST(EPT_PERM2_NAME, ept_perm2);
