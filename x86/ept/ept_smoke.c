/*
 * ept_smoke: the first EPT outcomes, one of each kind, on a 4K EPT leaf
 * in the test window of a 64-bit guest.  Expected values come from the
 * reference model (lib/x86/ept_model.c); the SDM rules behind them:
 *   - a not-present entry (bits 2:0 = 0) -> EPT violation, SDM 29.3.3.2;
 *   - a write to a page without W -> EPT violation, SDM 29.3.3.2;
 *   - W without R -> EPT misconfiguration, SDM 29.3.3.1;
 *   - qualification bits, GPA and GLA fields, SDM 28.2.1 (Table 28-7).
 * Accesses are at an odd offset inside the page, so the GPA and GLA
 * fields must carry the exact byte address.
 */
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"

#define OFFSET          0x5a8
#define PATTERN         0x0123456789abcdefull
#define WRITE_VALUE     0xfeedfacecafef00dull
#define VMCALL_BYTES    0xc1010f		/* 0F 01 C1 */

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

/* An access the model says completes must also have done its work. */
static void check_data(const char *id, const struct smoke_case *c, const uint64_t *data,
		       const struct vmx_exit *e, uint64_t gla)
{
	char cid[64];

	snprintf(cid, sizeof(cid), "%s.data", id);
	switch (c->op) {
	case GUEST_OP_READ:
		report_expect_u64(cid, e->regs.rax, PATTERN, "the read returned the page's data");
		break;
	case GUEST_OP_WRITE:
		report_expect_u64(cid, *data, WRITE_VALUE, "memory holds the written value");
		break;
	case GUEST_OP_FETCH:
		report_expect_u64(cid, e->guest_rip, gla, "the fetched VMCALL ran at the window GLA");
		break;
	case GUEST_OP_RMW:
		report_expect_u64(cid, *data, PATTERN + 1, "memory holds the sum");
		break;
	}
}

static void ept_smoke(void)
{
	struct ept_env_config cfg = { 0 };
	struct ept_env env;
	const char *why;
	uint8_t *page;
	uint64_t gla;

	report_prefix_push("ept.smoke");
	if (!ept_env_init(&env, &cfg, &why)) {
		for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
			report_skip(cases[i].id, NULL, "%s", why);
		report_prefix_pop();
		return;
	}

	page = alloc_page();
	gla = ept_env_map(&env, (uintptr_t)page, PAGE_4K, EPT_RWX_MASK | EPT_WB,
			  PAGE_4K, PTE_WRITE) + OFFSET;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct smoke_case *c = &cases[i];
		uint64_t *data = (uint64_t *)(page + OFFSET);
		struct ept_outcome o;
		struct vmx_exit e;
		char words[80];

		*data = c->op == GUEST_OP_FETCH ? VMCALL_BYTES : PATTERN;
		ept_set_perms(&env.ept, env.window_gpa + (uintptr_t)page, EPT_LEVEL_PTE, c->pte);
		ept_env_expect(&env, c->op, gla, &o);
		e = ept_env_run(&env, c->op, gla, c->op == GUEST_OP_RMW ? 1 : WRITE_VALUE);
		snprintf(words, sizeof(words), "%s, PTE %s, 4K", guest_op_name(c->op),
			 ept_perm_str(c->pte));
		if (expect_ept_outcome(c->id, words, &o, &e) && o.kind == EPT_OUTCOME_TRANSLATION)
			check_data(c->id, c, data, &e, gla);
	}

	ept_env_exit(&env);
	report_prefix_pop();
}

TEST("ept_smoke", ept_smoke);
