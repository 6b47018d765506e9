/*
 * ept_memtype: EPT memory types (SDM 29.3.7) as far as they are
 * architecturally visible without timing caches.
 *
 *  - Every leaf memory type 0-7 (bits 5:3) at every leaf size, IPAT (bit 6)
 *    clear and set, read / write / fetch: 2, 3 and 7 are reserved and make
 *    the leaf an EPT misconfiguration (29.3.3.1); 0 UC, 1 WC, 4 WT, 5 WP and
 *    6 WB translate, and the access must complete with the right data.
 *    The effective type (ept_effective_memtype(), 29.3.7.2) is not
 *    observable this way and is not asserted.
 *  - The EPTP memory type (the type the processor uses for the EPT
 *    paging structures, 29.3.7.1): with UC (IA32_VMX_EPT_VPID_CAP bit 8)
 *    the walk and the access complete as with WB.
 * Expected outcomes: the reference model (ept_env_expect()).
 */
#include "libcflat.h"
#include "test.h"
#include "x86/alloc.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"

#define DATA_OFFSET     0x7f0

static const struct leaf_size {
	const char *id;
	uint64_t page_size;
	uint64_t cap;
	const char *why;
} sizes[] = {
	{ "4k", PAGE_4K, 0, NULL },
	{ "2m", PAGE_2M, EPT_CAP_PAGE_2M, "IA32_VMX_EPT_VPID_CAP bit 16 (2-MByte EPT pages) = 0" },
	{ "1g", PAGE_1G, EPT_CAP_PAGE_1G, "IA32_VMX_EPT_VPID_CAP bit 17 (1-GByte EPT pages) = 0" },
};
static const enum guest_op ops[] = { GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_FETCH };
static const char *const memtype_names[8] = { "UC", "WC", "2 (reserved)", "3 (reserved)",
					      "WT", "WP", "WB", "7 (reserved)" };

struct window {
	struct ept_env env;
	uint8_t *page;
	uint64_t gpa, gla;
};

/* One access at DATA_OFFSET of the window page, checked by the shared
 * case runner: the outcome, and the data or unchanged memory. */
static void run_case(struct window *w, const char *id, const char *words, enum guest_op op)
{
	matrix_access_case(&w->env, id, words, op, w->gla + DATA_OFFSET, w->page + DATA_OFFSET, NULL);
}

static void leaf_types(struct window *w, const struct leaf_size *s, const char *skip)
{
	enum ept_level level = ept_leaf_level(s->page_size);

	if (!skip)
		w->gla = ept_env_map(&w->env, (uintptr_t)w->page, s->page_size,
				     EPT_RWX_MASK | EPT_WB, PAGE_4K, PTE_WRITE);
	for (unsigned mt = 0; mt < 8; mt++)
		for (unsigned ipat = 0; ipat < 2; ipat++)
			for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
				char id[64], words[96];

				snprintf(id, sizeof(id), "%s.mt%u.ipat%u.%s", s->id, mt, ipat,
					 guest_op_name(ops[i]));
				snprintf(words, sizeof(words), "%s, %s leaf RWX, memory type %s, IPAT %u",
					 guest_op_name(ops[i]), s->id, memtype_names[mt], ipat);
				if (skip) {
					report_skip(id, words, "%s", skip);
					continue;
				}
				ept_set_bits(&w->env.ept, w->gpa, level,
					     EPT_MT(mt) | (ipat ? EPT_IGNORE_PAT : 0),
					     EPT_MEMTYPE_MASK | EPT_IGNORE_PAT);
				run_case(w, id, words, ops[i]);
			}
	if (!skip)
		ept_set_bits(&w->env.ept, w->gpa, level, EPT_WB, EPT_MEMTYPE_MASK | EPT_IGNORE_PAT);
}

/* SDM 29.3.7.1: the EPTP memory type is used for the EPT paging structures. */
static void eptp_uc(struct window *w, const char *skip)
{
	/* no VMREAD when skipping: there may be no VMX at all */
	uint64_t wb = skip ? 0 : vmcs_read(VMCS_EPT_POINTER);

	if (!skip)
		vmcs_write(VMCS_EPT_POINTER, (wb & ~EPTP_MEMTYPE_MASK) | MEMTYPE_UC);
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
		char id[64], words[96];

		snprintf(id, sizeof(id), "eptp-uc.%s", guest_op_name(ops[i]));
		snprintf(words, sizeof(words), "%s, EPTP memory type UC, window leaf WB", guest_op_name(ops[i]));
		if (skip)
			report_skip(id, words, "%s", skip);
		else
			run_case(w, id, words, ops[i]);
	}
	if (!skip)
		vmcs_write(VMCS_EPT_POINTER, wb);
}

static void ept_memtype(void)
{
	struct ept_env_config cfg = { 0 };
	struct window w;
	const char *why;

	report_prefix_push("ept.memtype");
	if (!ept_env_init(&w.env, &cfg, &why)) {
		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
			leaf_types(&w, &sizes[i], why);
		eptp_uc(&w, why);
		report_prefix_pop();
		return;
	}
	w.page = alloc_page();
	w.gpa = ept_env_gpa(&w.env, (uintptr_t)w.page);
	/* 4K, then 2M, then 1G: each mapping replaces the previous one's table */
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
		leaf_types(&w, &sizes[i], sizes[i].cap && !ept_cap(sizes[i].cap) ? sizes[i].why : NULL);
	eptp_uc(&w, ept_cap(EPT_CAP_MEMTYPE_UC) ? NULL
		: "IA32_VMX_EPT_VPID_CAP bit 8 (UC EPT paging structures) = 0");
	ept_env_exit(&w.env);
	report_prefix_pop();
}

TEST("ept_memtype", ept_memtype);
