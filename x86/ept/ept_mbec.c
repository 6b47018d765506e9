/*
 * ept_mbec: mode-based execute control for EPT (MBEC).  Expected values
 * come from the reference model (ept_model.c): with the control on, bit 2
 * of an EPT entry is execute for supervisor-mode linear addresses (XS),
 * bit 10 execute for user-mode ones (XU), an entry with only bit 10 is
 * present, and the EPT-violation qualification's bit 5 is the AND of bit 2
 * and bit 6 the AND of bit 10 over the walk (SDM 29.3.2, 29.3.3.2, 28.2.1).
 *
 * Two window pages: one the guest maps supervisor-only, one with U/S = 1
 * at every level (a user-mode linear address, fetched at CPL 0).  Each
 * case sets the R/XS/XU bits of one EPT level of a page's walk and runs a
 * fetch from it or a read of it.
 *
 * Debian's Bochs 2.7 has no MBEC: every check skips naming
 * IA32_VMX_PROCBASED_CTLS2 bit 54.  README.md says how to run these
 * against a Bochs built from upstream source, which has it.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"

struct mbec_test {
	struct ept_env env;
	uint8_t *host[2];	/* [0] supervisor page, [1] user page */
	uint64_t gla[2], gpa[2];
	const char *why;
};

static struct mbec_test T;

static bool mbec_init(struct mbec_test *t)
{
	memset(t, 0, sizeof(*t));
	if (!ept_env_init(&t->env, &(struct ept_env_config){ 0 }, &t->why))
		return false;
	if (!vmx_has_proc2(CPU2_MODE_BASED_EPT_EXEC)) {
		t->why = "IA32_VMX_PROCBASED_CTLS2 bit 54 (allowed-1 of \"mode-based execute control for EPT\") = 0";
		ept_env_exit(&t->env);
		return false;
	}
	for (unsigned u = 0; u < 2; u++) {
		uint8_t *page = alloc_page();

		t->gla[u] = ept_env_map(&t->env, (uintptr_t)page, PAGE_4K,
					EPT_RWX_MASK | EPT_USER_EXEC | EPT_WB, PAGE_4K,
					PTE_WRITE | (u ? PTE_USER : 0)) + MATRIX_OFFSET;
		t->gpa[u] = ept_env_gpa(&t->env, (uintptr_t)page) + MATRIX_OFFSET;
		t->host[u] = page + MATRIX_OFFSET;
	}
	vmx_enable_proc2(CPU2_MODE_BASED_EPT_EXEC);
	t->env.model.ctl.mbec = true;
	return true;
}

static const uint64_t mbec_perms[] = {
	EPT_READ | EPT_EXEC,			/* R, XS */
	EPT_READ | EPT_USER_EXEC,		/* R, XU */
	EPT_READ | EPT_EXEC | EPT_USER_EXEC,	/* R, XS, XU */
	EPT_READ,				/* R */
	EPT_USER_EXEC,				/* XU only: present under MBEC */
	EPT_EXEC,				/* XS only (execute-only) */
	0,					/* not present */
};
static const char *const mbec_perm_ids[] = { "r-xs", "r-xu", "r-xs-xu", "r", "xu", "xs", "none" };
static const enum ept_level mbec_levels[] = { EPT_LEVEL_PTE, EPT_LEVEL_PDE };
static const enum guest_op mbec_ops[] = { GUEST_OP_FETCH, GUEST_OP_READ };

static void mbec_case(void *ctx, unsigned i)
{
	struct mbec_test *t = ctx;
	unsigned user = i % 2;
	enum guest_op op = mbec_ops[i / 2 % 2];
	unsigned p = i / 4 % ARRAY_SIZE(mbec_perms);
	enum ept_level level = mbec_levels[i / 4 / ARRAY_SIZE(mbec_perms)];
	struct ept_case c = { .op = op, .gla = t->gla[user], .host = (volatile uint64_t *)t->host[user] };
	char id[80], words[120];

	snprintf(id, sizeof(id), "%s.%s.%s.%s", matrix_level_id(level), mbec_perm_ids[p],
		 user ? "user" : "supervisor", guest_op_name(op));
	snprintf(words, sizeof(words), "%s from a %s-mode page, %s bits R/XS/XU = %u%u%u (others R/W/XS/XU), MBEC on",
		 guest_op_name(op), user ? "user" : "supervisor", matrix_level_name(level),
		 !!(mbec_perms[p] & EPT_READ), !!(mbec_perms[p] & EPT_EXEC),
		 !!(mbec_perms[p] & EPT_USER_EXEC));
	if (t->why) {
		ept_case_skip(id, words, t->why);
		return;
	}
	/* every level of both walks R/W/XS/XU, the PML4E included: bit 6 of
	 * the qualification and the XU check are ANDs over the whole walk */
	for (unsigned u = 0; u < 2; u++)
		for (unsigned l = t->env.ept.levels; l >= EPT_LEVEL_PTE; l--)
			ept_set_bits(&t->env.ept, t->gpa[u], l, EPT_RWX_MASK | EPT_USER_EXEC,
				     EPT_RWX_MASK | EPT_USER_EXEC);
	ept_case_begin(&t->env, c.gla);
	ept_set_bits(&t->env.ept, t->gpa[user], level, mbec_perms[p], EPT_RWX_MASK | EPT_USER_EXEC);
	ept_case(&t->env, id, words, &c);
}

static void ept_mbec(void)
{
	report_prefix_push("ept.mbec");
	if (mbec_init(&T))
		T.why = NULL;
	cases_run(ARRAY_SIZE(mbec_levels) * ARRAY_SIZE(mbec_perms) * 2 * 2, mbec_case, &T);
	if (!T.why)
		ept_env_exit(&T.env);
	report_prefix_pop();
}

TEST("ept_mbec", ept_mbec);
