#include "libcflat.h"
#include "x86/alloc.h"
#include "x86/ept_matrix.h"

const enum guest_op matrix_ops[4] = {
	GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_FETCH, GUEST_OP_RMW,
};

const char *matrix_level_id(enum ept_level level)
{
	static const char *const s[] = { "?", "pte", "pde", "pdpte", "pml4e", "pml5e" };
	return level <= EPT_LEVEL_PML5E ? s[level] : "?";
}

const char *matrix_level_name(enum ept_level level)
{
	static const char *const s[] = { "?", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };
	return level <= EPT_LEVEL_PML5E ? s[level] : "?";
}

const char *matrix_size_id(uint64_t page_size)
{
	return page_size == PAGE_1G ? "1g" : page_size == PAGE_2M ? "2m" : "4k";
}

const char *matrix_size_name(uint64_t page_size)
{
	return page_size == PAGE_1G ? "1G" : page_size == PAGE_2M ? "2M" : "4K";
}

const char *matrix_perm_id(uint64_t rwx)
{
	static const char *const s[8] = { "---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx" };
	return s[rwx & 7];
}

bool matrix_env_init(struct ept_env *env, bool ad, const char **why)
{
	struct ept_env_config cfg = { .ad = ad };

	if (!ept_env_init(env, &cfg, why))
		return false;
	if (report_verbose())
		report_info("IA32_VMX_EPT_VPID_CAP %#lx, PROCBASED_CTLS2 allowed-1 %#x, MAXPHYADDR %u, window GPA %#lx%s",
			    vmx_caps.ept_vpid, vmx_caps.proc2.allowed1, vmx_caps.maxphyaddr,
			    env->window_gpa, env->window_own_pml4e ? " (own PML4E)" : "");
	return true;
}

const char *matrix_ept_size_missing(uint64_t page_size)
{
	if (page_size == PAGE_2M && !ept_cap(EPT_CAP_PAGE_2M))
		return "IA32_VMX_EPT_VPID_CAP bit 16 (2-MByte EPT pages) = 0";
	if (page_size == PAGE_1G && !ept_cap(EPT_CAP_PAGE_1G))
		return "IA32_VMX_EPT_VPID_CAP bit 17 (1-GByte EPT pages) = 0";
	return NULL;
}

void matrix_prepare(void *host, enum guest_op op)
{
	*(volatile uint64_t *)host = op == GUEST_OP_FETCH ? MATRIX_VMCALL_BYTES : MATRIX_PATTERN;
}

void matrix_clear_listed_ad(const struct ept_outcome *o)
{
	if (o->kind != EPT_OUTCOME_TRANSLATION)
		return;
	for (unsigned i = 0; i < o->translation.nr_ad; i++)
		*(volatile uint64_t *)(uintptr_t)o->translation.ad[i].hpa &=
			~(EPT_ACCESSED | EPT_DIRTY);
}

/* SDM 29.3.5: the entries used by a completed access must have their
 * accessed flag set, and the leaf that maps a written page its dirty flag.
 * Counts the listed entries that carry every flag the model requires. */
static void check_ad(const char *id, const struct ept_outcome *o)
{
	const struct ept_translation *t = &o->translation;
	unsigned good = 0, first_bad = t->nr_ad;
	char cid[96];

	for (unsigned i = 0; i < t->nr_ad; i++) {
		uint64_t e = *(volatile uint64_t *)(uintptr_t)t->ad[i].hpa;
		bool ok = (!t->ad[i].set_a || (e & EPT_ACCESSED)) &&
			  (!t->ad[i].set_d || (e & EPT_DIRTY));

		good += ok;
		if (!ok && first_bad == t->nr_ad)
			first_bad = i;
	}
	snprintf(cid, sizeof(cid), "%s.ad", id);
	if (!report_expect_u64(cid, good, t->nr_ad,
			       "all %u EPT entries of the walk have the A/D flags SDM 29.3.5 requires",
			       t->nr_ad) && first_bad < t->nr_ad) {
		const struct ept_ad_update *u = &t->ad[first_bad];

		report_info("first missing: EPT level %u entry at %#lx = %#lx, want%s%s",
			    u->level, u->hpa, *(volatile uint64_t *)(uintptr_t)u->hpa,
			    u->set_a ? " A" : "", u->set_d ? " D" : "");
	}
}

void matrix_followup(struct ept_env *env, const char *id, const struct ept_outcome *o,
		     enum guest_op op, uint64_t got_data, uint64_t want_data)
{
	static const char *const data_words[] = {
		[GUEST_OP_READ] = "the read returned the page's data",
		[GUEST_OP_WRITE] = "memory holds the written value",
		[GUEST_OP_FETCH] = "the fetched VMCALL ran at the target GLA",
		[GUEST_OP_RMW] = "memory holds the sum",
	};
	bool writes = op == GUEST_OP_WRITE || op == GUEST_OP_RMW;
	char cid[96];

	if (o->kind == EPT_OUTCOME_TRANSLATION) {
		snprintf(cid, sizeof(cid), "%s.data", id);
		report_expect_u64(cid, got_data, want_data, "%s", data_words[op]);
		if (env->ept.eptp & EPTP_AD_ENABLE)
			check_ad(id, o);
	} else if (writes && (o->kind == EPT_OUTCOME_VIOLATION ||
			      o->kind == EPT_OUTCOME_MISCONFIG)) {
		/* An EPT violation or misconfiguration stops the access that
		 * causes it: the VM exit is fault-like and the write does not
		 * happen (SDM 29.3.3, 28.1). */
		snprintf(cid, sizeof(cid), "%s.mem", id);
		report_expect_u64(cid, got_data, want_data,
				  "the stopped %s left memory unchanged", guest_op_name(op));
	}
}

bool matrix_access_case(struct ept_env *env, const char *id, const char *words,
			enum guest_op op, uint64_t gla, void *host, struct ept_outcome *out)
{
	volatile uint64_t *mem = host;
	struct ept_outcome o;
	struct vmx_exit e;
	uint64_t value = op == GUEST_OP_RMW ? MATRIX_RMW_ADDEND : MATRIX_WRITE_VALUE;
	uint64_t got, want;
	bool pass;

	matrix_prepare(host, op);
	ept_env_expect(env, op, gla, &o);
	if (out)
		*out = o;
	if (o.order_ambiguous) {
		/* The SDM does not order guest A/D updates against later walk
		 * reads here: no single outcome to compare (paging_model.h). */
		report_skip(id, words, "the SDM allows more than one outcome (guest A/D update order)");
		return true;
	}
	matrix_clear_listed_ad(&o);
	e = ept_env_run(env, op, gla, value);
	pass = expect_ept_outcome(id, words, &o, &e);

	switch (op) {
	case GUEST_OP_READ:
		got = e.regs.rax;
		want = MATRIX_PATTERN;
		break;
	case GUEST_OP_WRITE:
		got = *mem;
		want = o.kind == EPT_OUTCOME_TRANSLATION ? MATRIX_WRITE_VALUE : MATRIX_PATTERN;
		break;
	case GUEST_OP_RMW:
		got = *mem;
		want = MATRIX_PATTERN + (o.kind == EPT_OUTCOME_TRANSLATION ? MATRIX_RMW_ADDEND : 0);
		break;
	default:
		got = e.guest_rip;
		want = gla;
		break;
	}
	if (o.kind != EPT_OUTCOME_UNMODELED)
		matrix_followup(env, id, &o, op, got, want);
	return pass;
}

void matrix_skip_case(const char *id, const char *words, const char *why)
{
	report_skip(id, words, "%s", why);
}

/* Where the matrix page lives: for a 2M leaf, inside a 2M region of our
 * own, at a page that is not the region's first (so the GPA's offset in
 * the leaf has bits above 11); for 4K and 1G leaves, any page (a 1G leaf
 * covers host memory 0-1G, of which only this page is accessed). */
uint8_t *matrix_map_page(struct ept_env *env, uint64_t leaf_size, uint64_t *gla, uint64_t *gpa)
{
	uint8_t *page;

	if (leaf_size == PAGE_2M)
		page = (uint8_t *)alloc_aligned(PAGE_2M, PAGE_2M) + 0x13000;
	else
		page = alloc_page();
	*gla = ept_env_map(env, (uintptr_t)page, leaf_size, EPT_RWX_MASK | EPT_WB,
			   PAGE_4K, PTE_WRITE) + MATRIX_OFFSET;
	*gpa = ept_env_gpa(env, (uintptr_t)page) + MATRIX_OFFSET;
	return page + MATRIX_OFFSET;
}

void matrix_perm_leaf(uint64_t leaf_size, bool ad)
{
	enum ept_level leaf = ept_leaf_level(leaf_size);
	const char *why = NULL;
	struct ept_env env;
	bool have_env = false;
	uint8_t *target = NULL;
	uint64_t gla = 0, gpa = 0;

	if (ad)
		report_prefix_push("ad");
	/* The capability MSRs are read by ept_env_init(): ask them after. */
	if (matrix_env_init(&env, ad, &why)) {
		have_env = true;
		why = matrix_ept_size_missing(leaf_size);
	}
	if (have_env && why) {
		ept_env_exit(&env);
		have_env = false;
	}
	if (have_env) {
		target = matrix_map_page(&env, leaf_size, &gla, &gpa);
	}

	for (enum ept_level level = EPT_LEVEL_PML4E; level >= leaf; level--) {
		const char *skip = have_env ? NULL : why;

		/* Without its own PML4E the window shares one with the guest's
		 * code and tables (ept_env.h). */
		if (!skip && level == EPT_LEVEL_PML4E && !env.window_own_pml4e)
			skip = "MAXPHYADDR <= 39: the window has no EPT PML4E of its own";
		for (uint64_t rwx = 0; rwx < 8; rwx++) {
			if (!skip)
				ept_set_perms(&env.ept, gpa, level, rwx);
			for (unsigned i = 0; i < ARRAY_SIZE(matrix_ops); i++) {
				enum guest_op op = matrix_ops[i];
				char id[64], words[96];

				snprintf(id, sizeof(id), "%s.%s.%s.%s", matrix_level_id(level),
					 matrix_perm_id(rwx), matrix_size_id(leaf_size),
					 guest_op_name(op));
				snprintf(words, sizeof(words), "%s, %s %s (other levels RWX), %s leaf%s",
					 guest_op_name(op), matrix_level_name(level),
					 ept_perm_str(rwx), matrix_size_name(leaf_size),
					 ad ? ", EPT A/D on" : "");
				if (skip)
					matrix_skip_case(id, words, skip);
				else
					matrix_access_case(&env, id, words, op, gla,
							   target, NULL);
			}
		}
		if (!skip)
			ept_set_perms(&env.ept, gpa, level, EPT_RWX_MASK);
	}

	if (have_env)
		ept_env_exit(&env);
	if (ad)
		report_prefix_pop();
}
