/*
 * ept_sss: supervisor shadow-stack pages under EPT (EPTP bit 7), three
 * tests of one family (unittests.cfg selects each with extra_params=):
 *   ept_sss       EPTP bit 7 = 1
 *   ept_sss_ad    EPTP bit 7 = 1 with EPT accessed/dirty flags (bit 6)
 *   ept_sss_off   EPTP bit 7 = 0: the same entries, ordinary rules
 * Every expectation comes from the reference model (ept_model.c,
 * ept_sss_applies(): with EPTP bit 7 = 1 a supervisor shadow-stack access
 * needs bit 0 in every EPT entry of the walk, bit 1 in every one but the
 * leaf and bit 60 in the leaf; SDM 29.3.3.2), and, for the guest's own
 * paging, from paging_model.c (shadow-stack pages, Vol. 3A 4.6.1).
 *
 * The guest runs with CR4.CET = 1 (CR0.WP = 1), IA32_S_CET.SH_STK_EN and
 * WR_SHSTK_EN set through "load CET state".  Two window pages per EPT leaf
 * size (4K, 2M, 1G): a supervisor shadow-stack page (guest PTE R/W = 0,
 * D = 1, U/S = 0) and a user one (U/S = 1).  Each case gives every level
 * of both walks R/W/X, the leaf R and bit 60 (a supervisor shadow-stack
 * EPT leaf: its bit 1 clear), then puts one of the permissions below on one
 * level of the accessed page's walk, and runs one access:
 *   ss-read        INCSSPQ with SSP at the supervisor page (a shadow-stack
 *                  read; data: the SSP after it)
 *   ss-write       WRSSQ to the supervisor page
 *   user-ss-write  WRUSSQ to the user page (a user shadow-stack write: the
 *                  ordinary rules whatever EPTP bit 7 says)
 * Check ids ept.sss[.ad|.off].<size>.<level>.<perm>.<access>; <perm> is the
 * entry's R, W, X and bit 60 ("r--s": R and bit 60).
 *
 * Needs IA32_VMX_EPT_VPID_CAP bit 23 (except ept_sss_off), CPUID.(EAX=7,
 * ECX=0):ECX bit 7 (CET_SS), IA32_VMX_CR4_FIXED1 bit 23 (CR4.CET) and the
 * "load CET state" VM-entry control; each case skips naming what is
 * missing.  Of Debian's Bochs 2.7 models only tigerlake has CET and bit 23
 * (its deviations are listed); the others skip.  The VM-entry check of
 * EPTP bit 7 itself is vmx_eptp's (eptp.bit7).
 */
#include "libcflat.h"
#include "test.h"
#include "cases.h"
#include "x86/alloc.h"
#include "x86/processor.h"
#include "x86/ept_env.h"
#include "x86/ept_matrix.h"

#define SSB EPT_SUPERVISOR_SHADOW_STACK

struct sss_config {
	const char *prefix;	/* check-id segment after ept.sss, or NULL */
	bool eptp7, ad;
};

struct sss_test {
	struct ept_env env;
	const struct sss_config *cfg;
	uint64_t size;
	enum ept_level leaf;
	uint8_t *host[2];	/* [0] supervisor, [1] user shadow-stack page */
	uint64_t gla[2], gpa[2];
	uint64_t host_s_cet;
	const char *why;	/* every case skips */
};

/* R, W, X and bit 60 of the restricted entry. */
struct sss_perm {
	const char *id;
	uint64_t bits;
};
/* the leaf: the shadow-stack leaf (R, bit 60) and departures from it */
static const struct sss_perm leaf_perms[] = {
	{ "r--s", EPT_READ | SSB },
	{ "rwxs", EPT_RWX_MASK | SSB },
	{ "rw--", EPT_READ | EPT_WRITE },
	{ "r---", EPT_READ },
	{ "--xs", EPT_EXEC | SSB },
	{ "---s", SSB },			/* not present */
};
/* an entry above the leaf (the leaf R and bit 60) */
static const struct sss_perm upper_perms[] = {
	{ "rwx-", EPT_RWX_MASK },
	{ "rw--", EPT_READ | EPT_WRITE },
	{ "r-x-", EPT_READ | EPT_EXEC },
	{ "--x-", EPT_EXEC },
	{ "----", 0 },				/* not present */
};
static const enum guest_op sss_ops[] = { GUEST_OP_SS_READ, GUEST_OP_SS_WRITE, GUEST_OP_USS_WRITE };
#define NR_OPS ARRAY_SIZE(sss_ops)
#define NR_LEAF ARRAY_SIZE(leaf_perms)
#define NR_UPPER ARRAY_SIZE(upper_perms)

static const char *sss_missing(const struct sss_config *cfg)
{
	if (cfg->eptp7 && !ept_cap(EPT_CAP_SUPERVISOR_SHADOW_STACK))
		return "IA32_VMX_EPT_VPID_CAP bit 23 (supervisor shadow-stack control, EPTP bit 7) = 0";
	if (cpuid(0).a < 7 || !(cpuid_count(7, 0).c & CPUID_7_ECX_CET_SS))
		return "CPUID.(EAX=7,ECX=0):ECX bit 7 (CET_SS, shadow stacks) = 0";
	if (!(vmx_caps.cr4_fixed1 & X86_CR4_CET))
		return "IA32_VMX_CR4_FIXED1 bit 23 (CR4.CET in VMX operation) = 0";
	if (!vmx_ctl_allowed(&vmx_caps.entry, ENTRY_LOAD_CET_STATE))
		return "IA32_VMX_ENTRY_CTLS bit 52 (allowed-1 of \"load CET state\") = 0";
	return NULL;
}

/* Both shadow-stack pages, in one 2M region for a 2M leaf (not its first
 * page: the GPA's offset in the leaf has bits above 11); a 1G leaf covers
 * host memory 0-1G, of which only these pages are accessed. */
static void sss_map(struct sss_test *t)
{
	uint8_t *region = t->size == PAGE_2M ? (uint8_t *)alloc_aligned(PAGE_2M, PAGE_2M) : NULL;

	for (unsigned u = 0; u < 2; u++) {
		uint8_t *page = region ? region + 0x13000 + u * 0x2000 : alloc_page();
		/* Vol. 3A 4.6.1: a shadow-stack page has R/W = 0 and D = 1 in
		 * the PTE (R/W = 1 above it: gpt_map's tables) */
		uint64_t flags = PTE_DIRTY | (u ? PTE_USER : 0);

		t->gla[u] = ept_env_map(&t->env, (uintptr_t)page, t->size, EPT_RWX_MASK | EPT_WB,
					PAGE_4K, flags) + MATRIX_OFFSET;
		t->gpa[u] = ept_env_gpa(&t->env, (uintptr_t)page) + MATRIX_OFFSET;
		t->host[u] = page + MATRIX_OFFSET;
	}
}

static bool sss_init(struct sss_test *t)
{
	uint64_t eptp;

	if (!ept_env_init(&t->env, &(struct ept_env_config){ .ad = t->cfg->ad }, &t->why))
		return false;
	t->why = sss_missing(t->cfg);
	if (!t->why)
		t->why = matrix_ept_size_missing(t->size);
	if (t->why) {
		ept_env_exit(&t->env);
		return false;
	}
	sss_map(t);
	/* SDM 26.3.1.1: CR4.CET = 1 needs CR0.WP = 1 */
	vmcs_set_bits(VMCS_GUEST_CR0, X86_CR0_WP);
	vmcs_set_bits(VMCS_GUEST_CR4, X86_CR4_CET);
	vmcs_set_bits(VMCS_ENTRY_CONTROLS, ENTRY_LOAD_CET_STATE);
	vmcs_write(VMCS_GUEST_S_CET, CET_SH_STK_EN | CET_WR_SHSTK_EN);
	vmcs_write(VMCS_GUEST_INTR_SSP_TABLE, 0);
	/* Without "load CET state" on VM exit the host keeps the guest's
	 * IA32_S_CET (harmless with its CR4.CET = 0): restored at the end. */
	t->host_s_cet = rdmsr(MSR_IA32_S_CET);
	eptp = t->env.ept.eptp;
	if (t->cfg->eptp7)
		eptp |= EPTP_SSS_ENABLE;
	t->env.ept.eptp = eptp;
	vmcs_write(VMCS_EPT_POINTER, eptp);
	return true;
}

static unsigned sss_nr_cases(const struct sss_test *t)
{
	return (NR_LEAF + (EPT_LEVEL_PML4E - t->leaf) * NR_UPPER) * NR_OPS;
}

/* Case i: the leaf's permissions, then each level above it (PDE first)
 * with the upper ones; each with every access. */
static void sss_case(void *ctx, unsigned i)
{
	struct sss_test *t = ctx;
	unsigned j = i / NR_OPS;
	bool leaf = j < NR_LEAF;
	enum ept_level level = leaf ? t->leaf : t->leaf + 1 + (j - NR_LEAF) / NR_UPPER;
	const struct sss_perm *perm = leaf ? &leaf_perms[j] : &upper_perms[(j - NR_LEAF) % NR_UPPER];
	enum guest_op op = sss_ops[i % NR_OPS];
	unsigned user = op == GUEST_OP_USS_WRITE;
	struct ept_case c = { .op = op, .gla = t->gla[user], .host = (volatile uint64_t *)t->host[user] };
	const char *skip = t->why;
	char id[96], words[160];

	snprintf(id, sizeof(id), "%s.%s.%s.%s", matrix_size_id(t->size), matrix_level_id(level),
		 perm->id, guest_op_name(op));
	snprintf(words, sizeof(words), "%s, %s R/W/X %s%s (%s), %s leaf, EPTP bit 7 = %u%s",
		 guest_op_name(op), matrix_level_name(level), ept_perm_str(perm->bits),
		 perm->bits & SSB ? " + bit 60" : "",
		 leaf ? "the others R/W/X" : "the others R/W/X, the leaf R-- + bit 60",
		 matrix_size_name(t->size), t->cfg->eptp7, t->cfg->ad ? ", EPT A/D on" : "");
	/* Without its own PML4E the window shares one with the guest's code
	 * and tables (ept_env.h). */
	if (!skip && level == EPT_LEVEL_PML4E && !t->env.window_own_pml4e)
		skip = "MAXPHYADDR <= 39: the window has no EPT PML4E of its own";
	if (skip) {
		ept_case_skip(id, words, skip);
		return;
	}
	/* every level of both walks: R/W/X above, the leaf R and bit 60 */
	for (unsigned u = 0; u < 2; u++)
		for (enum ept_level l = EPT_LEVEL_PML4E; l >= t->leaf; l--)
			ept_set_bits(&t->env.ept, t->gpa[u], l,
				     l == t->leaf ? EPT_READ | SSB : EPT_RWX_MASK,
				     EPT_RWX_MASK | SSB);
	ept_case_begin(&t->env, c.gla);
	/* ept_case_begin() cleared the guest PTE's D: a shadow-stack page
	 * keeps it set */
	gpt_entry_update(&t->env.gpt, c.gla, 1, PTE_DIRTY, 0);
	ept_set_bits(&t->env.ept, t->gpa[user], level, perm->bits, EPT_RWX_MASK | SSB);
	/* SSP only matters to ss-read (ept_env_run() sets it there) */
	vmcs_write(VMCS_GUEST_SSP, 0);
	ept_case(&t->env, id, words, &c);
}

static void sss_leaf(const struct sss_config *cfg, uint64_t size)
{
	static struct sss_test t;
	bool have_env;

	memset(&t, 0, sizeof(t));
	t.cfg = cfg;
	t.size = size;
	t.leaf = ept_leaf_level(size);
	have_env = sss_init(&t);
	cases_run(sss_nr_cases(&t), sss_case, &t);
	if (have_env) {
		wrmsr(MSR_IA32_S_CET, t.host_s_cet);
		ept_env_exit(&t.env);
	}
}

static void sss_family(const struct sss_config *cfg)
{
	static const uint64_t sizes[] = { PAGE_4K, PAGE_2M, PAGE_1G };

	report_prefix_push("ept.sss");
	if (cfg->prefix)
		report_prefix_push(cfg->prefix);
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
		sss_leaf(cfg, sizes[i]);
	if (cfg->prefix)
		report_prefix_pop();
	report_prefix_pop();
}

static const struct sss_config cfg_sss = { NULL, true, false };
static const struct sss_config cfg_sss_ad = { "ad", true, true };
static const struct sss_config cfg_sss_off = { "off", false, false };

static void ept_sss(void) { sss_family(&cfg_sss); }
static void ept_sss_ad(void) { sss_family(&cfg_sss_ad); }
static void ept_sss_off(void) { sss_family(&cfg_sss_off); }

TEST("ept_sss", ept_sss);
TEST("ept_sss_ad", ept_sss_ad);
TEST("ept_sss_off", ept_sss_off);
