#include "libcflat.h"
#include "x86/alloc.h"
#include "x86/ept_matrix.h"
#include "cases.h"

const enum guest_op matrix_ops[4] = {
	GUEST_OP_READ, GUEST_OP_WRITE, GUEST_OP_FETCH, GUEST_OP_RMW,
};

const struct matrix_restriction matrix_restrictions[5] = {
	{ "np", 0 },
	{ "ro", EPT_READ },
	{ "rx", EPT_READ | EPT_EXEC },
	{ "xo", EPT_EXEC },
	{ "rw", EPT_READ | EPT_WRITE },
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

bool matrix_access_case(struct ept_env *env, const char *id, const char *words,
			enum guest_op op, uint64_t gla, void *host, struct ept_outcome *out)
{
	struct ept_case c = { .op = op, .gla = gla, .host = host };
	bool pass;

	ept_case_begin(env, gla);
	pass = ept_case(env, id, words, &c);
	if (out)
		*out = c.model;
	return pass;
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

struct perm_leaf {
	struct ept_env env;
	uint64_t leaf_size, gla, gpa;
	enum ept_level leaf;
	uint8_t *target;
	bool ad;
	const char *why;	/* every case skips */
};

/* Case i: level (PML4E first), R/W/X value, access kind. */
static void perm_leaf_case(void *ctx, unsigned i)
{
	struct perm_leaf *p = ctx;
	enum ept_level level = EPT_LEVEL_PML4E - i / 32;
	uint64_t rwx = (i / 4) % 8;
	enum guest_op op = matrix_ops[i % 4];
	const char *skip = p->why;
	char id[64], words[96];

	snprintf(id, sizeof(id), "%s.%s.%s.%s", matrix_level_id(level), matrix_perm_id(rwx),
		 matrix_size_id(p->leaf_size), guest_op_name(op));
	snprintf(words, sizeof(words), "%s, %s %s (other levels RWX), %s leaf%s",
		 guest_op_name(op), matrix_level_name(level), ept_perm_str(rwx),
		 matrix_size_name(p->leaf_size), p->ad ? ", EPT A/D on" : "");
	/* Without its own PML4E the window shares one with the guest's code
	 * and tables (ept_env.h). */
	if (!skip && level == EPT_LEVEL_PML4E && !p->env.window_own_pml4e)
		skip = "MAXPHYADDR <= 39: the window has no EPT PML4E of its own";
	if (skip) {
		ept_case_skip(id, words, skip);
		return;
	}
	/* every case sets the whole walk: the other levels RWX */
	for (enum ept_level l = EPT_LEVEL_PML4E; l >= p->leaf; l--)
		ept_set_perms(&p->env.ept, p->gpa, l, l == level ? rwx : EPT_RWX_MASK);
	matrix_access_case(&p->env, id, words, op, p->gla, p->target, NULL);
}

void matrix_perm_leaf(uint64_t leaf_size, bool ad)
{
	static struct perm_leaf p;
	bool have_env;

	memset(&p, 0, sizeof(p));
	p.leaf_size = leaf_size;
	p.leaf = ept_leaf_level(leaf_size);
	p.ad = ad;
	if (ad)
		report_prefix_push("ad");
	/* The capability MSRs are read by ept_env_init(): ask them after. */
	have_env = matrix_env_init(&p.env, ad, &p.why);
	if (have_env)
		p.why = matrix_ept_size_missing(leaf_size);
	if (have_env && !p.why)
		p.target = matrix_map_page(&p.env, leaf_size, &p.gla, &p.gpa);

	cases_run((EPT_LEVEL_PML4E - p.leaf + 1) * 32, perm_leaf_case, &p);

	if (have_env)
		ept_env_exit(&p.env);
	if (ad)
		report_prefix_pop();
}
