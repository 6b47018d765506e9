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
 * Each leaf size has an environment of its own (the window page of
 * matrix_map_page()); every case sets the leaf's memory type and IPAT and
 * the EPTP, and is one ept_case() (matrix_access_case()): the whole
 * outcome the reference model gives, data or memory, A/D flags.
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"

static const uint64_t leaf_sizes[] = { PAGE_4K, PAGE_2M, PAGE_1G };
static const enum guest_op ops[] = { GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_FETCH };
static const char *const memtype_names[8] = { "UC", "WC", "2 (reserved)", "3 (reserved)",
					      "WT", "WP", "WB", "7 (reserved)" };

#define NR_LEAF_CASES   (8 * 2 * ARRAY_SIZE(ops))	/* type, IPAT, access */

struct mt_run {
	struct ept_env env;
	uint64_t leaf_size;
	const char *why;	/* every case skips */
	uint8_t *host;
	uint64_t gla, gpa;
};

/* SDM 29.3.7.1: the EPTP memory type is used for the EPT paging structures. */
static const char *eptp_uc_missing(void)
{
	return ept_cap(EPT_CAP_MEMTYPE_UC) ? NULL
		: "IA32_VMX_EPT_VPID_CAP bit 8 (UC EPT paging structures) = 0";
}

/*
 * Case i < NR_LEAF_CASES: memory type, IPAT, access kind, EPTP WB.
 * After them, on the 4K leaf only: access kind with the EPTP UC, leaf WB.
 */
static void memtype_case(void *ctx, unsigned i)
{
	struct mt_run *m = ctx;
	enum ept_level level = ept_leaf_level(m->leaf_size);
	bool eptp_uc = i >= NR_LEAF_CASES;
	unsigned mt = eptp_uc ? MEMTYPE_WB : i / (2 * ARRAY_SIZE(ops));
	unsigned ipat = eptp_uc ? 0 : i / ARRAY_SIZE(ops) % 2;
	enum guest_op op = ops[i % ARRAY_SIZE(ops)];
	const char *skip = m->why;
	char id[64], words[96];

	if (eptp_uc) {
		snprintf(id, sizeof(id), "eptp-uc.%s", guest_op_name(op));
		snprintf(words, sizeof(words), "%s, EPTP memory type UC, window leaf WB",
			 guest_op_name(op));
		if (!skip)
			skip = eptp_uc_missing();
	} else {
		snprintf(id, sizeof(id), "%s.mt%u.ipat%u.%s", matrix_size_id(m->leaf_size), mt, ipat,
			 guest_op_name(op));
		snprintf(words, sizeof(words), "%s, %s leaf RWX, memory type %s, IPAT %u",
			 guest_op_name(op), matrix_size_id(m->leaf_size), memtype_names[mt], ipat);
	}
	if (skip) {
		ept_case_skip(id, words, skip);
		return;
	}
	ept_set_bits(&m->env.ept, m->gpa, level, EPT_MT(mt) | (ipat ? EPT_IGNORE_PAT : 0),
		     EPT_MEMTYPE_MASK | EPT_IGNORE_PAT);
	vmcs_write(VMCS_EPT_POINTER, (m->env.ept.eptp & ~EPTP_MEMTYPE_MASK) |
		   (eptp_uc ? MEMTYPE_UC : MEMTYPE_WB));
	matrix_access_case(&m->env, id, words, op, m->gla, m->host, NULL);
}

static void ept_memtype(void)
{
	static struct mt_run m;

	report_prefix_push("ept.memtype");
	for (unsigned s = 0; s < ARRAY_SIZE(leaf_sizes); s++) {
		bool have_env;

		memset(&m, 0, sizeof(m));
		m.leaf_size = leaf_sizes[s];
		have_env = matrix_env_init(&m.env, false, &m.why);
		if (have_env)
			m.why = matrix_ept_size_missing(m.leaf_size);
		if (have_env && !m.why)
			m.host = matrix_map_page(&m.env, m.leaf_size, &m.gla, &m.gpa);
		/* the EPTP cases once, with the 4K leaf */
		cases_run(NR_LEAF_CASES + (m.leaf_size == PAGE_4K ? ARRAY_SIZE(ops) : 0),
			  memtype_case, &m);
		if (have_env)
			ept_env_exit(&m.env);
	}
	report_prefix_pop();
}

TEST("ept_memtype", ept_memtype);
