/*
 * ept_smoke: the first EPT outcomes, one of each kind, on a 4K EPT leaf
 * in the test window of a 64-bit guest.  Expected values come from the
 * reference model (lib/x86/ept_model.c); the SDM rules behind them:
 *   - a not-present entry (bits 2:0 = 0) -> EPT violation, SDM 29.3.3.2;
 *   - a write to a page without W -> EPT violation, SDM 29.3.3.2;
 *   - W without R -> EPT misconfiguration, SDM 29.3.3.1;
 *   - qualification bits, GPA and GLA fields, SDM 28.2.1 (Table 28-7).
 * Accesses are at an odd offset inside the page (MATRIX_OFFSET), so the
 * GPA and GLA fields must carry the exact byte address; each case also
 * checks the data a completed access read or wrote (<id>.data) and that
 * a stopped write left memory alone (<id>.mem).
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"

static const struct smoke_case {
	const char *id;
	enum guest_op op;
	uint64_t pte;		/* R/W/X of the 4K EPT leaf */
} cases[] = {
	{ "read-np",    GUEST_OP_READ,  0 },
	{ "write-ro",   GUEST_OP_WRITE, EPT_READ },
	{ "write-wo",   GUEST_OP_WRITE, EPT_WRITE },
	{ "fetch-rw",   GUEST_OP_FETCH, EPT_READ | EPT_WRITE },
	{ "read-ro",    GUEST_OP_READ,  EPT_READ },
	{ "write-rw",   GUEST_OP_WRITE, EPT_READ | EPT_WRITE },
	{ "fetch-rx",   GUEST_OP_FETCH, EPT_READ | EPT_EXEC },
	{ "rmw-ro",     GUEST_OP_RMW,   EPT_READ },
};

struct smoke {
	struct ept_env env;
	uint8_t *host;
	uint64_t gla, gpa;
	const char *why;
};

static void smoke_case(void *ctx, unsigned i)
{
	struct smoke *s = ctx;
	const struct smoke_case *c = &cases[i];
	char words[80];

	snprintf(words, sizeof(words), "%s, PTE %s, 4K", guest_op_name(c->op),
		 ept_perm_str(c->pte));
	if (s->why) {
		ept_case_skip(c->id, words, s->why);
		return;
	}
	ept_set_perms(&s->env.ept, s->gpa, EPT_LEVEL_PTE, c->pte);
	matrix_access_case(&s->env, c->id, words, c->op, s->gla, s->host, NULL);
}

static void ept_smoke(void)
{
	static struct smoke s;
	struct ept_env_config cfg = { 0 };

	memset(&s, 0, sizeof(s));
	report_prefix_push("ept.smoke");
	if (ept_env_init(&s.env, &cfg, &s.why)) {
		s.why = NULL;
		s.host = matrix_map_page(&s.env, PAGE_4K, &s.gla, &s.gpa);
	}
	cases_run(ARRAY_SIZE(cases), smoke_case, &s);
	if (!s.why)
		ept_env_exit(&s.env);
	report_prefix_pop();
}

TEST("ept_smoke", ept_smoke);
